using System.Net;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace MiniMind.Studio.Components.Shared;

/// <summary>
/// Markdown to HTML for text the studio did not write (dataset records, model answers), so that nothing in it can run
/// script: raw HTML is escaped, no extension that writes attributes from the text (Markdig's generic attributes,
/// <c>{onerror=…}</c>) is in the pipeline, and a link or image whose address is not relative, http(s) or mailto
/// (<c>javascript:</c>, <c>vbscript:</c>, <c>data:</c>, however written with entities, case or white space) loses it.
/// </summary>
public static class SafeMarkdown
{
    static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables().UseEmphasisExtras().UseTaskLists().UseListExtras().UseAutoLinks()
        .DisableHtml()
        .Build();

    static readonly string[] AllowedSchemes = ["http", "https", "mailto"];

    public static string ToHtml(string? text)
    {
        var document = Markdig.Markdown.Parse(text ?? "", Pipeline);
        foreach (var link in document.Descendants<LinkInline>())
        {
            if (!IsSafe(link.Url)) link.Url = "#";
            if (link.Reference is { } reference && !IsSafe(reference.Url)) reference.Url = "#";
        }
        foreach (var link in document.Descendants<AutolinkInline>())
            if (!IsSafe(link.Url)) link.Url = "#";
        return document.ToHtml(Pipeline);
    }

    /// <summary>Whether an address is relative, or http, https or mailto, as a browser would read it.</summary>
    public static bool IsSafe(string? url)
    {
        if (string.IsNullOrEmpty(url)) return true;
        // what a browser ignores: entities, white space and control characters anywhere ("java&#x09;script:")
        var plain = WebUtility.HtmlDecode(WebUtility.HtmlDecode(url));
        plain = new string(plain.Where(c => !char.IsWhiteSpace(c) && !char.IsControl(c) && c != '\u00AD' && c != '\u200B').ToArray());
        var colon = plain.IndexOf(':');
        if (colon < 0) return true;
        var end = plain.IndexOfAny(['/', '?', '#']);
        if (end >= 0 && end < colon) return true; // a colon after the path starts: relative ("a/b:c", "?x=y:z")
        var scheme = plain[..colon].ToLowerInvariant();
        return AllowedSchemes.Contains(scheme);
    }
}
