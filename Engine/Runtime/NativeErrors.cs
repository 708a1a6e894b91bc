using System.Runtime.InteropServices;

namespace MiniMind.Engine.Runtime;

/// <summary>
/// libtorch's errors as a person reads them: its messages carry the C++ frames they were raised from (thousands
/// of characters), and running out of memory reads differently on the CPU ("can't allocate memory") and on CUDA.
/// </summary>
public static class NativeErrors
{
    /// <summary>Whether <paramref name="e"/> is libtorch failing to allocate (CPU or GPU memory).</summary>
    public static bool IsOutOfMemory(Exception e) =>
        e is OutOfMemoryException
        || e is ExternalException && (e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase)
                                      || e.Message.Contains("can't allocate memory", StringComparison.OrdinalIgnoreCase));

    /// <summary>The message without the native stack: what comes before the first "frame #" or "Exception raised from" line, trimmed.</summary>
    public static string Summary(string message)
    {
        var cut = message.Length;
        foreach (var marker in new[] { "\nframe #", "Exception raised from " })
        {
            var at = message.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0 && at < cut) cut = at;
        }
        var text = message[..cut].Trim();
        return text.Length > 0 ? text : message.Trim();
    }
}
