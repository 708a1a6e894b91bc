using System.Runtime.InteropServices;

namespace MiniMind.Engine.Runtime;

/// <summary>
/// glibc's allocator serves libtorch's CPU tensors. By default it mmaps blocks of 128 KiB and more, but each freed mmapped
/// block raises that threshold to the block's size (up to 32 MiB), so after the first step nearly every activation comes
/// from the heap, whose holes between differently sized tensors stay resident: training the MoE preset peaked at
/// 3,500 MiB of resident memory for about 2,460 MiB of live tensors. A fixed threshold of 4 MiB keeps the large tensors
/// (weights, activations, gradients of the bigger presets) in their own mappings, returned to the system when freed,
/// and the many small ones on the fast heap: the MoE peak fell to about 3,060 MiB at the same speed (docs/benchmarks.md).
/// A threshold given in the environment (<c>MALLOC_MMAP_THRESHOLD_</c>) is left as it is.
/// </summary>
public static class MallocTuning
{
    /// <summary>The threshold set at engine start: blocks of at least this many bytes get their own mapping.</summary>
    public const int MmapThreshold = 4 << 20;

    const int M_MMAP_THRESHOLD = -3;

    /// <summary>The threshold in force when this process set it, or null (not Linux with glibc, or set by the environment).</summary>
    public static int? Applied { get; private set; }

    /// <summary>Sets the fixed threshold once; harmless where there is no glibc.</summary>
    public static void Apply()
    {
        if (Applied is not null || !OperatingSystem.IsLinux()) return;
        if (Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is { Length: > 0 }) return;
        try
        {
            if (mallopt(M_MMAP_THRESHOLD, MmapThreshold) == 1) Applied = MmapThreshold;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // another C library (musl): its allocator has no such setting
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int mallopt(int param, int value);
}
