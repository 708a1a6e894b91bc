using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Engine.Runtime;

/// <summary>What a CPU thread count is chosen for.</summary>
public enum CpuWork
{
    /// <summary>Generating tokens (chat, the API, the Compare page, evaluation answers): one step per token, a few rows.</summary>
    Decoding,

    /// <summary>A training run: large batches of matrix work.</summary>
    Training,

    /// <summary>Scoring benchmarks and perplexity: forward passes over whole batches.</summary>
    Evaluation,
}

/// <summary>A thread count and why it was chosen.</summary>
public sealed record ThreadChoice(int Threads, string Reason)
{
    public override string ToString() => $"{Threads} CPU thread{(Threads == 1 ? "" : "s")} ({Reason})";
}

/// <summary>
/// Chooses libtorch's CPU thread count per job instead of once per process. Decoding one row is a chain of small
/// matrix-vector products: a second thread gains nothing on an idle machine and, with other work on the cores, each
/// step waits for the slowest thread (the 26M model on 2 cores: 90 tokens/s at 1 thread against 85 at 2 when idle, 56
/// against 29 beside two busy processes; docs/benchmarks.md). Batch
/// work (training, evaluation, decoding several rows) takes the cores that are free when it starts, measured from
/// <c>/proc/stat</c> over a short window, never fewer than one. <c>--threads</c> (Engine:Threads) fixes the count for
/// everything, as before.
/// <para>
/// libtorch keeps the count per thread (OpenMP's per-thread setting; a thread that has not used libtorch yet starts
/// from the last count set anywhere), so each job applies its choice on its own thread when it starts:
/// <see cref="Apply"/>.
/// </para>
/// </summary>
public static class CpuThreads
{
    static readonly Lock Gate = new();
    static int? fixedThreads;
    static (DateTime When, double Free)? lastSample;

    /// <summary>The count <c>--threads</c> or Engine:Threads fixed for every job, or null when each job chooses.</summary>
    public static int? Fixed => fixedThreads;

    /// <summary>The logical cores this process may use.</summary>
    public static int Cores => Environment.ProcessorCount;

    internal static void Fix(int? threads) => fixedThreads = threads;

    /// <summary>The choice for <paramref name="work"/> on <paramref name="rows"/> rows at this moment (reads the free cores when it needs them).</summary>
    public static ThreadChoice Choose(CpuWork work, int rows = 1) =>
        Choose(work, rows, Cores, fixedThreads, NeedsFreeCores(work, rows, fixedThreads) ? FreeCores() : Cores);

    /// <summary>The rule itself, from given figures (the unit tests' entry).</summary>
    public static ThreadChoice Choose(CpuWork work, int rows, int cores, int? fixedCount, double freeCores)
    {
        if (fixedCount is int n) return new(n, "fixed by --threads");
        if (!NeedsFreeCores(work, rows, fixedCount))
            return new(1, "decoding one row: a second thread gains little and loses much when the cores are shared");
        int free = Math.Clamp((int)Math.Round(freeCores, MidpointRounding.AwayFromZero), 1, Math.Max(1, cores));
        int threads = work == CpuWork.Decoding ? Math.Min(free, Math.Max(1, rows)) : free;
        string what = work == CpuWork.Decoding ? $"decoding {rows} rows" : work == CpuWork.Training ? "training" : "evaluation";
        return new(threads, $"{what}: {freeCores:0.#} of {cores} cores free");
    }

    static bool NeedsFreeCores(CpuWork work, int rows, int? fixedCount) => fixedCount is null && !(work == CpuWork.Decoding && rows <= 1);

    /// <summary>
    /// Chooses and sets the count for the calling thread (on a GPU the CPU threads only feed the device: nothing changes)
    /// and returns the choice, for the job to report.
    /// </summary>
    public static ThreadChoice Apply(CpuWork work, Device device, int rows = 1)
    {
        if (device.type != DeviceType.CPU) return new(get_num_threads(), $"{device}: the CPU threads only feed the device");
        var choice = Choose(work, rows);
        if (get_num_threads() != choice.Threads) set_num_threads(choice.Threads);
        return choice;
    }

    /// <summary>One line for <c>info</c> and the Home page: the fixed count, or what each kind of job gets now.</summary>
    public static string Describe()
    {
        if (fixedThreads is int n) return $"CPU threads: {n} for every job (fixed by --threads / Engine:Threads)";
        double free = FreeCores();
        var training = Choose(CpuWork.Training, 1, Cores, null, free);
        return $"CPU threads chosen per job: 1 to decode one row; the free cores to train, evaluate or decode several rows " +
               $"(now {training.Threads}: {free:0.#} of {Cores} cores free). Fix one count with --threads or Engine:Threads.";
    }

    /// <summary>
    /// Cores not busy right now: the idle share of all CPU time over 0.2 s (<c>/proc/stat</c>) times the cores; all
    /// of them where there is no /proc. Kept for a second, so jobs that start together measure once.
    /// </summary>
    public static double FreeCores()
    {
        lock (Gate)
        {
            if (lastSample is { } s && DateTime.UtcNow - s.When < TimeSpan.FromSeconds(1)) return s.Free;
            double free = Cores;
            if (CpuTimes.Read() is { } first)
            {
                Thread.Sleep(200);
                if (CpuTimes.Read() is { } second && CpuTimes.IdleShare(first, second) is double idle)
                    free = idle * Cores;
            }
            lastSample = (DateTime.UtcNow, free);
            return free;
        }
    }
}

/// <summary>The machine's cumulative CPU time (all cores) from the first line of <c>/proc/stat</c>, in clock ticks.</summary>
public readonly record struct CpuTimes(long Total, long Idle)
{
    const string StatPath = "/proc/stat";

    public static CpuTimes? Read()
    {
        try
        {
            using var reader = new StreamReader(StatPath);
            return Parse(reader.ReadLine());
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// <c>cpu  user nice system idle iowait irq softirq steal ...</c>: idle is idle + iowait; the total counts the first
    /// eight fields (guest time is already inside user). Null for anything else.
    /// </summary>
    public static CpuTimes? Parse(string? line)
    {
        if (line is null) return null;
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 5 || fields[0] != "cpu") return null;
        long total = 0, idle = 0;
        for (int i = 1; i < Math.Min(fields.Length, 9); i++)
        {
            if (!long.TryParse(fields[i], out var v) || v < 0) return null;
            total += v;
            if (i is 4 or 5) idle += v;
        }
        return new CpuTimes(total, idle);
    }

    /// <summary>The idle share of the CPU time between two readings, or null when no time passed.</summary>
    public static double? IdleShare(CpuTimes first, CpuTimes second)
    {
        long total = second.Total - first.Total, idle = second.Idle - first.Idle;
        if (total <= 0 || idle < 0) return null;
        return Math.Clamp(idle / (double)total, 0, 1);
    }
}
