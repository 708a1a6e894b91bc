using System.Text.Json;
using MiniMind.Engine.Data;

namespace MiniMind.Engine.Tests.Data;

/// <summary>SFT rendering and target masking against sft-labels/labels.json (the newest MiniMind's labelling).</summary>
public sealed class SftLabelsTests
{
    static readonly JsonElement Reference = Fixture.Json("sft-labels", "labels.json");

    [Fact]
    public void Markers_DerivedFromTheChatTemplate_AreTheReferenceIds()
    {
        var markers = new ConversationEncoder(TempData.SeedTokenizer).Markers;

        Assert.Equal("<s>assistant\n", markers.AssistantStartText);
        Assert.Equal("</s>\n", markers.TurnEndText);
        Assert.Equal(Ints(Reference.GetProperty("assistant_start_ids")), markers.AssistantStart);
        Assert.Equal(Ints(Reference.GetProperty("turn_end_ids")), markers.TurnEnd);
    }

    public static TheoryData<int> Cases() => new(Enumerable.Range(0, Reference.GetProperty("cases").GetArrayLength()));

    [Theory, MemberData(nameof(Cases))]
    public void Conversation_RendersTokenizesAndLabels_ExactlyLikeTheReference(int index)
    {
        var testCase = Reference.GetProperty("cases")[index];
        var encoder = new ConversationEncoder(TempData.SeedTokenizer);
        var messages = testCase.GetProperty("messages").EnumerateArray()
            .Select(m => new ChatMessage(m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!)).ToList();

        var text = encoder.Render(messages);
        var (ids, labels) = SftLabels.Build(encoder.Encode(messages), encoder.Markers, testCase.GetProperty("max_length").GetInt32(),
            Reference.GetProperty("pad_id").GetInt32());

        Assert.Equal(testCase.GetProperty("text").GetString(), text);
        Assert.Equal(Ints(testCase.GetProperty("input_ids")), ids);
        Assert.Equal(Ints(testCase.GetProperty("labels")), labels);
    }

    [Fact]
    public void TurnCutByTruncation_IsATargetUpToTheCut()
    {
        var markers = new ChatMarkers("A", "E", [7, 8], [9]);

        var (_, labels) = SftLabels.Build([1, 7, 8, 5, 6, 9, 3, 7, 8, 4, 4], markers, 10, 0);

        Assert.Equal(new[] { -100, -100, -100, 5, 6, 9, -100, -100, -100, 4 }, labels);
    }

    static int[] Ints(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();
}
