using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MiniMind.Studio.Components.Pages.Chat;
using MiniMind.Studio.Services;

namespace MiniMind.Studio.Tests.Components;

/// <summary>Chat keeps its conversations: saved after each answer, listed, reopened whole (a new store reads them: a restart).</summary>
public sealed class ChatPageTests : StudioComponentTest
{
    /// <summary>Sends a message and waits until its answer is saved (the conversation then holds <paramref name="turns"/> turns).</summary>
    void Send(IRenderedComponent<ChatPage> cut, string text, int turns)
    {
        cut.Find("#chat-input").Input(text);
        cut.InvokeAsync(() => cut.Find("#chat-send").Click());
        var store = Services.GetRequiredService<ConversationStore>();
        cut.WaitForAssertion(() => Assert.Equal(turns, store.List().Single().Turns), TimeSpan.FromMinutes(1));
        cut.WaitForAssertion(() => Assert.DoesNotContain("streaming…", cut.Find("#chat-transcript").TextContent));
    }

    [Fact]
    public void AConversation_IsSavedWithItsSettings_AndReopensWhole_AfterARestart()
    {
        var model = CheckpointFiles.Tiny(Folders.OutDir, "talker");
        var cut = Render<ChatPage>();
        cut.FindAll("textarea").First(t => t.Id != "chat-input").Change("Be brief."); // the system prompt
        Send(cut, "Where does Alice live?", 1);
        Send(cut, "And Bruno?", 2);

        var restarted = new ConversationStore(Folders.Paths); // what a restarted studio reads
        var summary = Assert.Single(restarted.List());
        Assert.Equal(("Where does Alice live?", 2), (summary.Title, summary.Turns));
        var chat = restarted.Load(summary.Id)!;
        Assert.Equal((model, "Be brief."), (chat.Checkpoint, chat.SystemPrompt));
        Assert.Equal(["Where does Alice live?", "And Bruno?"], chat.Turns.Select(t => t.Prompt));
        Assert.Contains(summary.Id, cut.Find("#chat-conversations").InnerHtml); // listed

        var reopened = Render<ChatPage>(p => p.Add(c => c.ConversationId, summary.Id));
        var comingBack = Render<ChatPage>(); // /chat again, after another page: the newest conversation, where it was left

        Assert.Equal(2, reopened.FindAll(".chat-bubble.user").Count);
        Assert.Equal(2, comingBack.FindAll(".chat-bubble.user").Count);
        Assert.Equal(2, reopened.FindAll(".chat-bubble.assistant").Count);
        Assert.Equal(chat.Turns.Select(t => MiniMind.Studio.Components.Shared.StreamedAnswer.Restore(t.Answer).Footer), reopened.FindAll(".chat-bubble.assistant .chat-footer").Select(f => f.TextContent.Trim()));
        Assert.Contains("Be brief.", reopened.Markup); // the system prompt is back
    }

    [Fact]
    public void Edit_PutsAMessageBack_AndReplacesTheConversationFromItOnlyWhenSent_Regenerate_AsksTheLastAgain()
    {
        CheckpointFiles.Tiny(Folders.OutDir, "talker");
        var store = Services.GetRequiredService<ConversationStore>();
        var cut = Render<ChatPage>();
        Send(cut, "first question", 1);
        Send(cut, "second question", 2);
        var firstAnswer = store.Load(store.List().Single().Id)!.Turns[1].Answer;

        cut.InvokeAsync(() => cut.FindAll(".chat-regenerate").Single().Click()); // only the last answer has it
        // a new draw (the page's seed stays 42 for new messages; a regenerated answer takes a fresh one)
        cut.WaitForAssertion(() => Assert.NotEqual(firstAnswer.Text, store.Load(store.List().Single().Id)!.Turns[1].Answer.Text), TimeSpan.FromMinutes(1));
        cut.WaitForAssertion(() => Assert.Equal(["first question", "second question"], cut.FindAll(".chat-bubble.user .chat-text").Select(e => e.TextContent)));

        cut.InvokeAsync(() => cut.FindAll(".chat-edit")[0].Click());

        // nothing is dropped yet: the turns stay (dimmed), saved as they were, until the edited message is sent
        cut.WaitForAssertion(() => Assert.Equal("first question", cut.Find("#chat-input").GetAttribute("value")));
        Assert.Equal(2, cut.FindAll(".chat-turn-replaced").Count);
        Assert.Equal(2, store.List().Single().Turns);
        Assert.Contains("Editing message 1", cut.Find("#chat-editing").TextContent);
        cut.InvokeAsync(() => cut.Find("#chat-edit-cancel").Click()); // undone
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#chat-editing")));
        Assert.Empty(cut.FindAll(".chat-turn-replaced"));

        cut.InvokeAsync(() => cut.FindAll(".chat-edit")[1].Click());
        cut.WaitForAssertion(() => Assert.Equal("second question", cut.Find("#chat-input").GetAttribute("value")));
        cut.Find("#chat-input").Input("another second question");
        cut.InvokeAsync(() => cut.Find("#chat-send").Click());

        cut.WaitForAssertion(() => Assert.Equal(["first question", "another second question"], cut.FindAll(".chat-bubble.user .chat-text").Select(e => e.TextContent)), TimeSpan.FromMinutes(1));
        cut.WaitForAssertion(() => Assert.Equal("another second question", store.Load(store.List().Single().Id)!.Turns[^1].Prompt), TimeSpan.FromMinutes(1));
        Assert.Equal(2, store.List().Single().Turns);
    }

    [Fact]
    public void TheList_MarksTheOpenConversation_LinksEach_AndDeletesOne()
    {
        CheckpointFiles.Tiny(Folders.OutDir, "talker");
        var store = Services.GetRequiredService<ConversationStore>();
        foreach (var (id, prompt) in new[] { ("20260101-000000-aaaaaa", "kept"), ("20260101-000001-bbbbbb", "dropped") })
            store.Save(id, new SavedChat { Turns = [new SavedTurn(prompt, new SavedAnswer("ok", "", "stop", null, 1, 0.1))] });

        var cut = Render<ChatPage>(p => p.Add(c => c.ConversationId, "20260101-000000-aaaaaa"));

        var rows = cut.FindAll("#chat-conversations .chat-conversation");
        Assert.Equal(["20260101-000001-bbbbbb", "20260101-000000-aaaaaa"], rows.Select(r => r.GetAttribute("data-conversation")));
        Assert.Equal([false, true], rows.Select(r => r.ClassList.Contains("current")));
        Assert.Equal("/chat/20260101-000001-bbbbbb", rows[0].QuerySelector("a")!.GetAttribute("href"));
        Assert.Equal("Delete this conversation", rows[0].QuerySelector(".chat-conversation-delete")!.GetAttribute("aria-label"));

        cut.InvokeAsync(() => cut.Find("[data-conversation='20260101-000001-bbbbbb'] .chat-conversation-delete").Click());

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("#chat-conversations .chat-conversation")));
        Assert.Equal("kept", Assert.Single(store.List()).Title);
    }

    [Fact]
    public void AConversationWhoseCheckpointIsGone_OpensWithTheFirstCheckpoint_AndSaysSo()
    {
        CheckpointFiles.Tiny(Folders.OutDir, "still_here");
        var store = Services.GetRequiredService<ConversationStore>();
        store.Save("20260101-000000-abcdef", new SavedChat
        {
            Checkpoint = Path.Combine(Folders.OutDir, "deleted.safetensors"),
            Turns = [new SavedTurn("hello", new SavedAnswer("hi there", "", "stop", null, 2, 0.1))],
        });

        var cut = Render<ChatPage>(p => p.Add(c => c.ConversationId, "20260101-000000-abcdef"));

        Assert.Contains("deleted.safetensors is no longer there", cut.Find("#chat-missing").TextContent);
        Assert.Contains("hi there", cut.Find("#chat-transcript").TextContent);
    }

    [Fact]
    public void NewChat_StartsEmpty_AndTheOldOneStaysInTheList()
    {
        CheckpointFiles.Tiny(Folders.OutDir, "talker");
        var store = Services.GetRequiredService<ConversationStore>();
        var cut = Render<ChatPage>();
        Send(cut, "kept question", 1);

        cut.InvokeAsync(() => cut.Find("#chat-new").Click());

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll(".chat-bubble")));
        Assert.Single(cut.FindAll(".chat-conversation"));
        Assert.Equal("kept question", store.List().Single().Title);
    }
}
