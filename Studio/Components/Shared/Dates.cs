namespace MiniMind.Studio.Components.Shared;

/// <summary>
/// How the pages write a moment: ISO 8601 date and 24-hour time in the server's time zone ("2026-12-07 20:08"), which no
/// locale reads wrongly. The culture's short pattern ("g") wrote 12/7/2026 8:08 PM for every visitor, whatever their locale.
/// </summary>
public static class Dates
{
    public static string Short(DateTimeOffset moment) => moment.ToLocalTime().ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
}
