namespace Modelhost.Jobs.Tests.Infrastructure;

/// <summary>A fact that makes files immutable: skipped where <c>chattr +i</c> does not work.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ImmutableFilesFactAttribute : FactAttribute
{
    public ImmutableFilesFactAttribute()
    {
        Skip = FileFaults.ImmutableUnsupported;
    }
}
