namespace Modelhost.Learning.Data;

/// <summary>Chooses test rows so that each class keeps its share of the rows, as scikit-learn's StratifiedShuffleSplit.</summary>
internal static class StratifiedSplit
{
    public static (int[] Train, int[] Test) Split(int[] classIds, int classCount, int testCount, DeterministicRandom random)
    {
        int rows = classIds.Length;
        var members = new List<int>[classCount];
        for (int c = 0; c < classCount; c++)
        {
            members[c] = [];
        }

        for (int i = 0; i < rows; i++)
        {
            members[classIds[i]].Add(i);
        }

        int present = members.Count(m => m.Count > 0);
        for (int c = 0; c < classCount; c++)
        {
            if (members[c].Count == 1)
            {
                throw new ArgumentException(
                    $"Class {c} has a single row; a stratified split needs at least two rows of every class.", nameof(classIds));
            }
        }

        if (testCount < present || rows - testCount < present)
        {
            throw new ArgumentException(
                $"A stratified split of {rows} rows into {rows - testCount} and {testCount} cannot hold all {present} classes on both sides.",
                nameof(testCount));
        }

        // Each class gets the floor of its exact share; the rows left over go to the largest remainders, ties to lower class ids.
        var take = new int[classCount];
        var remainders = new double[classCount];
        int assigned = 0;
        for (int c = 0; c < classCount; c++)
        {
            double exact = (double)members[c].Count * testCount / rows;
            take[c] = (int)Math.Floor(exact);
            remainders[c] = exact - take[c];
            assigned += take[c];
        }

        int[] byRemainder = Enumerable.Range(0, classCount).OrderByDescending(c => remainders[c]).ThenBy(c => c).ToArray();
        for (int k = 0; assigned < testCount; k = (k + 1) % classCount)
        {
            int c = byRemainder[k];
            if (take[c] < members[c].Count - 1)
            {
                take[c]++;
                assigned++;
            }
        }

        var train = new List<int>(rows - testCount);
        var test = new List<int>(testCount);
        for (int c = 0; c < classCount; c++)
        {
            int[] shuffled = members[c].ToArray();
            random.Shuffle(shuffled.AsSpan());
            test.AddRange(shuffled.AsSpan(0, take[c]));
            train.AddRange(shuffled.AsSpan(take[c]));
        }

        return (train.ToArray(), test.ToArray());
    }
}
