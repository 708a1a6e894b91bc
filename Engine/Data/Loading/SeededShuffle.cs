namespace MiniMind.Engine.Data;

/// <summary>
/// The order of examples in an epoch: a Fisher–Yates permutation driven by SplitMix64 seeded with seed and epoch.
/// Written out here (not <see cref="Random"/>) so the order is fixed by this code alone, across runtimes and machines.
/// </summary>
public static class SeededShuffle
{
    public static int[] Permutation(long count, long seed, int epoch)
    {
        if (count > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(count), $"{count} examples is more than one epoch order can hold");
        var order = new int[count];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        var state = (ulong)seed * 0x9E3779B97F4A7C15UL ^ ((ulong)(uint)epoch << 32 | 0x5DEECE66DUL);
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = (int)(((UInt128)Next(ref state) * (ulong)(i + 1)) >> 64);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    static ulong Next(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
