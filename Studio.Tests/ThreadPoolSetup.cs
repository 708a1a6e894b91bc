using System.Runtime.CompilerServices;

namespace MiniMind.Studio.Tests;

/// <summary>
/// The suite hosts Kestrel servers, SignalR, bUnit renderers and training threads in one process on a 2-core
/// machine; with the default minimum the thread pool grows too slowly and async continuations (a bUnit
/// dispatcher, a server noticing a disconnect) wait seconds for a thread. Start with enough threads.
/// </summary>
static class ThreadPoolSetup
{
    [ModuleInitializer]
    internal static void RaiseMinimum()
    {
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
    }
}
