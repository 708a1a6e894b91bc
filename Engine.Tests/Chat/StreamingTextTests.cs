using MiniMind.Engine.Chat;

namespace MiniMind.Engine.Tests.Chat;

/// <summary>Stop strings and &lt;think&gt; blocks found in text that arrives in arbitrary pieces.</summary>
public sealed class StreamingTextTests
{
    static (string Emitted, bool Stopped) Stream(string[] pieces, params string[] stops)
    {
        var matcher = new StopSequenceMatcher(stops);
        var emitted = string.Concat(pieces.Select(matcher.Push)) + matcher.Flush();
        return (emitted, matcher.Stopped);
    }

    [Fact]
    public void StopString_SplitAcrossPieces_EndsTheTextBeforeIt()
    {
        var (emitted, stopped) = Stream(["Hello wo", "rld. EN", "D more"], "END");

        Assert.Equal("Hello world. ", emitted);
        Assert.True(stopped);
    }

    [Fact]
    public void HeldPrefix_ThatDoesNotBecomeAStopString_IsEmittedInFull()
    {
        var matcher = new StopSequenceMatcher(["STOP"]);

        Assert.Equal("a ", matcher.Push("a ST"));   // "ST" may start STOP: held
        Assert.Equal("STAR", matcher.Push("AR"));   // it did not
        Assert.Equal("", matcher.Push("S"));
        Assert.Equal("S", matcher.Flush());
        Assert.False(matcher.Stopped);
    }

    [Fact]
    public void EarliestOfSeveralStopStrings_Wins()
    {
        var (emitted, _) = Stream(["one two three"], "three", "two");

        Assert.Equal("one ", emitted);
    }

    static (string Content, string Reasoning) Split(bool startsInReasoning, params string[] pieces)
    {
        var splitter = new ReasoningSplitter(startsInReasoning);
        string content = "", reasoning = "";
        foreach (var piece in pieces)
        {
            var (c, r) = splitter.Push(piece);
            content += c;
            reasoning += r;
        }
        var (c2, r2) = splitter.Flush();
        return (content + c2, reasoning + r2);
    }

    [Fact]
    public void ThinkBlock_WithTagsSplitAcrossPieces_GoesToReasoning()
    {
        var (content, reasoning) = Split(false, "<th", "ink>\nLet me think", ".</thi", "nk>\n\nThe answer", " is 4.");

        Assert.Equal("Let me think.", reasoning);
        Assert.Equal("The answer is 4.", content);
    }

    [Fact]
    public void TextWithoutThinkBlock_IsAllAnswer()
    {
        var (content, reasoning) = Split(false, "<b>bold</b>", " text");

        Assert.Equal("<b>bold</b> text", content);
        Assert.Equal("", reasoning);
    }

    [Fact]
    public void PromptThatOpenedThinking_MakesTheFirstTextReasoning()
    {
        var (content, reasoning) = Split(true, "step one", "</think>", "done");

        Assert.Equal("step one", reasoning);
        Assert.Equal("done", content);
    }

    [Fact]
    public void UnclosedThinkBlock_StaysReasoningToTheEnd()
    {
        var (content, reasoning) = Split(false, "<think>still going </th");

        Assert.Equal("still going </th", reasoning);
        Assert.Equal("", content);
    }

    [Fact]
    public void AnswerTags_SplitAcrossPieces_AreDroppedFromTheAnswer()
    {
        var (content, reasoning) = Split(false, "<think>\n2 plus 2</think>\n<ans", "wer>\n4", " apples</ans", "wer>");

        Assert.Equal("2 plus 2", reasoning);
        Assert.Equal("4 apples", content);
    }

    [Fact]
    public void AnswerTags_WithoutAThinkBlock_AreDroppedToo_AndOtherTagsStay()
    {
        Assert.Equal(("4", ""), Split(false, "<answer>4</answer>"));
        Assert.Equal(("<answ and more", ""), Split(false, "<answ", " and more"));
        Assert.Equal(("x </answer>", ""), Split(false, "x </answer>")); // no opening tag: the text is the model's
    }

    [Fact]
    public void AnswerCutBeforeItsClosingTag_KeepsWhatCame()
    {
        Assert.Equal(("partial </ans", "r"), Split(false, "<think>r</think><answer>partial </ans"));
    }
}
