using System.Text.Json;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MiniMind.Engine.Chat.Tools;
using MiniMind.Studio.Components.Pages.Chat;
using MiniMind.Studio.Services;
using MiniMind.Studio.Tests.Services;

namespace MiniMind.Studio.Tests.Components;

/// <summary>
/// Chat's tool loop with a real model (a minimind-3-shaped one the studio teaches one tool-use conversation in seconds):
/// the model calls a tool, the call is shown as a step with its result, the model answers from it; a declared tool waits
/// for the person's result. The conversation, rounds included, is saved and reopened.
/// </summary>
public sealed class ChatToolsTests : StudioComponentTest
{
    const string System = "You answer with tools.";

    static string Ask(IRenderedComponent<ChatPage> cut, string text)
    {
        cut.FindAll("textarea").First(t => t.Id != "chat-input").Change(System);
        cut.Find("#chat-input").Input(text);
        cut.InvokeAsync(() => cut.Find("#chat-send").Click());
        return text;
    }

    [Fact]
    public async Task ABuiltInTool_IsCalled_ShownAsAStep_AndTheModelAnswersFromItsResult()
    {
        var result = await new DemoPeopleTool().InvokeAsync(JsonDocument.Parse("""{"name": "Alice Brant"}""").RootElement, default);
        var town = JsonDocument.Parse(result).RootElement.GetProperty("town").GetString()!;
        var answer = $"Alice Brant lives in {town}.";
        ToolModel.Train(Folders.OutDir, "person_tools", new ToolModel.Conversation(System, new ToolSet { People = true }.Json!,
            "Where does Alice Brant live?", "get_person", """{"name": "Alice Brant"}""", result, answer));
        var cut = Render<ChatPage>(); // the one checkpoint: chosen by default
        cut.Find("#chat-tools .tools-people input").Change(true);

        Ask(cut, "Where does Alice Brant live?");

        var store = Services.GetRequiredService<ConversationStore>();
        cut.WaitForAssertion(() => Assert.Equal(1, store.List().SingleOrDefault()?.Turns), TimeSpan.FromMinutes(1));
        var step = cut.Find(".tool-step[data-tool=get_person]");
        Assert.Contains("get_person({\"name\": \"Alice Brant\"})", step.TextContent);
        Assert.Contains(town, step.QuerySelector(".tool-step-result")!.TextContent);
        var saved = store.Load(store.List().Single().Id)!;
        Assert.Equal(answer, saved.Turns.Single().Answer.Text);
        Assert.Contains(answer, cut.FindAll(".chat-bubble.assistant").Last().TextContent);
        Assert.Equal("get_person", Assert.Single(Assert.Single(saved.Turns).Rounds!).Steps.Single().Name);
        Assert.True(saved.Tools!.People);
        var reopened = Render<ChatPage>(p => p.Add(c => c.ConversationId, store.List().Single().Id));
        Assert.Contains(town, reopened.Find(".tool-step-result").TextContent);
    }

    [Fact]
    public void ADeclaredTool_WaitsForTheResultThePersonTypes()
    {
        var weather = new DeclaredTool("get_weather", "Weather of a city", """{"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}""");
        ToolModel.Train(Folders.OutDir, "weather_tools", new ToolModel.Conversation(System, new ToolSet { Declared = [weather] }.Json!,
            "上海天气？", "get_weather", """{"city": "上海"}""", "{\"temp\": 18}", "上海18度。"));
        var cut = Render<ChatPage>(); // the one checkpoint: chosen by default
        cut.Find("#chat-tools .tools-new-name input").Input(weather.Name);
        cut.Find("#chat-tools .tools-new-description input").Input(weather.Description);
        cut.Find("#chat-tools .tools-new-parameters textarea").Input(weather.Parameters);
        cut.Find("#chat-tools .tools-add").Click();
        cut.WaitForAssertion(() => Assert.Contains("get_weather", cut.Find("#chat-tools .tools-declared").TextContent));

        Ask(cut, "上海天气？");

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find(".tool-step-input input")), TimeSpan.FromMinutes(1));
        Assert.Contains("get_weather({\"city\": \"上海\"})", cut.Find(".tool-step[data-tool=get_weather]").TextContent);
        Assert.True(cut.Find("#chat-input").HasAttribute("disabled")); // the answer waits for the result
        cut.Find(".tool-step-input input").Input("{\"temp\": 18}");
        cut.InvokeAsync(() => cut.Find(".tool-step-send").Click());

        var store = Services.GetRequiredService<ConversationStore>();
        cut.WaitForAssertion(() => Assert.Equal(1, store.List().SingleOrDefault()?.Turns), TimeSpan.FromMinutes(1));
        Assert.Equal("上海18度。", Assert.Single(store.Load(store.List().Single().Id)!.Turns).Answer.Text);

        // asked again in a new chat, and stopped while the call waits for its result: the page is free again, the turn kept
        cut.InvokeAsync(() => cut.Find("#chat-new").Click());
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll(".chat-bubble")));
        cut.Find("#chat-input").Input("上海天气？");
        cut.InvokeAsync(() => cut.Find("#chat-send").Click());
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".tool-step-input input")), TimeSpan.FromMinutes(1));
        cut.InvokeAsync(() => cut.Find("#chat-stop").Click());
        cut.WaitForAssertion(() => Assert.Equal(2, store.List().Count), TimeSpan.FromMinutes(1));
        cut.WaitForAssertion(() => Assert.False(cut.Find("#chat-input").HasAttribute("disabled")));
        var stopped = Assert.Single(store.Load(store.List().First().Id)!.Turns);
        Assert.Equal("cancelled", stopped.Answer.Finish);
        Assert.Contains("not run", Assert.Single(Assert.Single(stopped.Rounds!).Steps).Result);
    }

    [Fact]
    public void ABadDeclaration_IsNamedInThePanel()
    {
        CheckpointFiles.Tiny(Folders.OutDir, "talker");
        var cut = Render<ChatPage>();

        cut.Find("#chat-tools .tools-new-name input").Input("bad name!");
        cut.Find("#chat-tools .tools-add").Click();
        cut.WaitForAssertion(() => Assert.Contains("name:", cut.Find("#chat-tools .tools-problem").TextContent));
        cut.Find("#chat-tools .tools-new-name input").Input("ok_name");
        cut.Find("#chat-tools .tools-new-parameters textarea").Input("""{"type": "array"}""");
        cut.Find("#chat-tools .tools-add").Click();

        cut.WaitForAssertion(() => Assert.Contains("parameters.type", cut.Find("#chat-tools .tools-problem").TextContent));
        cut.Find("#chat-tools .tools-new-name input").Input("calculate"); // a built-in's name, ticked or not
        cut.Find("#chat-tools .tools-new-parameters textarea").Input("""{"type": "object"}""");
        cut.Find("#chat-tools .tools-add").Click();
        cut.WaitForAssertion(() => Assert.Contains("already offered", cut.Find("#chat-tools .tools-problem").TextContent));
        Assert.Empty(cut.FindAll("#chat-tools .tools-declared"));
    }
}
