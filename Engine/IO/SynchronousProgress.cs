namespace MiniMind.Engine.IO;

/// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread at once (<see cref="Progress{T}"/> posts to a context, out of order).</summary>
public sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
