using Modelhost.Core.Configuration;

namespace Modelhost.Server.Tests.Jobs;

public sealed class TrainingConfigTests
{
    [Fact]
    public void The_training_section_is_read_with_its_command_timeout_and_data()
    {
        var config = ModelConfigLoader.Parse("""
            training:
              trainer: external
              command: [python3, train.py, --data, "{data}", --out, "{output_dir}", "v{next_version}-{model}"]
              timeout_s: 3600
              data: iris.csv
            """, "models/iris/model.yaml");

        var training = Assert.IsType<TrainingConfig>(config.Training);
        Assert.Equal(["python3", "train.py", "--data", "{data}", "--out", "{output_dir}", "v{next_version}-{model}"], training.Command);
        Assert.Equal(TimeSpan.FromHours(1), training.Timeout);
        Assert.Equal("iris.csv", training.Data);
    }

    [Theory]
    [InlineData("training: {trainer: external, command: [sh, '{outdir}']}", ":1: training.command[1]: unknown placeholder {outdir}")]
    [InlineData("training: {trainer: magic, command: [sh]}", ":1: training.trainer: unknown trainer 'magic'")]
    [InlineData("training: {trainer: external}", "needs a 'command'")]
    [InlineData("training: {trainer: external, command: [sh], data: /etc/passwd}", "training.data: expected a file name relative to the data directory")]
    [InlineData("training: {trainer: external, command: [sh], query: 'DELETE FROM t'}", "training.query: expected a single SELECT")]
    [InlineData("training:\n  trainer: external\n  command: [sh]\n  timeout: 3", ":4: unknown key 'timeout' in training")]
    [InlineData("training: {trainer: forest, data: iris.csv}", "the forest trainer needs a 'target'")]
    [InlineData("training: {trainer: forest, target: y, command: [sh]}", ":1: training.command: the forest trainer does not take 'command'")]
    [InlineData("training: {trainer: linear, target: y, trees: 10}", "training.trees: only the forest trainer takes 'trees'")]
    [InlineData("training:\n  trainer: forest\n  target: y\n  test_size: 1", ":4: training.test_size: expected")]
    [InlineData("training: {trainer: forest, target: y, trees: 0}", "training.trees: expected")]
    [InlineData("training: {trainer: linear, target: y, task: clustering}", "training.task: unknown task 'clustering'")]
    public void A_bad_training_section_names_the_file_line_and_key(string yaml, string message)
    {
        var error = Assert.Throws<ModelConfigException>(() => ModelConfigLoader.Parse(yaml, "models/iris/model.yaml"));
        Assert.Contains("models/iris/model.yaml", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_builtin_training_section_is_read_with_its_options()
    {
        var config = ModelConfigLoader.Parse(
            "training: {trainer: forest, data: iris.csv, target: species, trees: 300, seed: 1234, test_size: 0.3}", "models/iris/model.yaml");

        var training = Assert.IsType<TrainingConfig>(config.Training);
        Assert.True(training.IsBuiltin);
        Assert.Equal("forest", training.Trainer);
        Assert.Equal("species", training.Target);
        Assert.Equal(300, training.Trees);
        Assert.Equal(1234, training.Seed);
        Assert.Equal(0.3, training.TestSize);
        Assert.Empty(training.Command);
    }
}
