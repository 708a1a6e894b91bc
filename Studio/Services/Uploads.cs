namespace MiniMind.Studio.Services;

/// <summary>Writing an uploaded file: streamed to a temporary path with a size limit, never trusting the client's length.</summary>
public static class Uploads
{
    /// <summary>Copies <paramref name="content"/> to <paramref name="temporary"/>, refusing empty files and files over <paramref name="limitMegabytes"/>.</summary>
    public static async Task CopyLimitedAsync(Stream content, string temporary, string name, int limitMegabytes, CancellationToken cancellationToken)
    {
        long limit = limitMegabytes * 1024L * 1024L;
        await using var output = File.Create(temporary);
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
            if (total > limit) throw new ArgumentException($"{name} is larger than the upload limit of {limitMegabytes} MB.");
            await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
        if (total == 0) throw new ArgumentException($"{name} is empty.");
    }
}
