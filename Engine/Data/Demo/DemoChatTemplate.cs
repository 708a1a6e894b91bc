namespace MiniMind.Engine.Data.Demo;

/// <summary>
/// The demo tokenizer's chat template: MiniMind2's (<see cref="Tokenization.MiniMindChatTemplate"/>), which renders every
/// conversation without tools exactly as before, plus what tool use needs, kept short for the demo's small context: the
/// offered tools listed in the system turn as <c>- name(arguments)</c>, an assistant's calls as
/// <c>&lt;tool_call&gt;{"name": ..., "arguments": {...}}&lt;/tool_call&gt;</c> (what <see cref="Chat.ToolCallParser"/> reads), and a
/// tool's result as a user turn in <c>&lt;tool_response&gt;</c> tags, after which the assistant answers.
/// </summary>
public static class DemoChatTemplate
{
    public const string Template =
        "{% if messages[0]['role'] == 'system' %}{% set system_message = messages[0]['content'] %}{% else %}{% set system_message = '你是 MiniMind，是一个有用的人工智能助手。' %}{% endif %}"
        + "{{ '<s>system\\n' + system_message }}"
        + "{% if tools %}{{ '\\n# Tools' }}{% for tool in tools %}{% if tool.function is defined %}{% set f = tool.function %}{% else %}{% set f = tool %}{% endif %}"
        + "{{ '\\n- ' + f.name + '(' }}{% if f.parameters is defined and f.parameters.properties is defined %}{{ f.parameters.properties | list | join(', ') }}{% endif %}{{ ')' }}{% endfor %}{% endif %}"
        + "{{ '</s>\\n' }}"
        + "{% for message in messages %}{% set content = message['content'] %}{% if message['role'] == 'user' %}"
        + "{{ '<s>user\\n' + content + '</s>\\n<s>assistant\\n' }}{% elif message['role'] == 'assistant' %}{{ content }}"
        + "{% if message.tool_calls %}{% for call in message.tool_calls %}{% if call.function is defined %}{% set f = call.function %}{% else %}{% set f = call %}{% endif %}"
        + "{{ '<tool_call>{\"name\": \"' + f.name + '\", \"arguments\": ' }}{% if f.arguments is string %}{{ f.arguments }}{% else %}{{ f.arguments | tojson }}{% endif %}{{ '}</tool_call>' }}{% endfor %}{% endif %}"
        + "{{ '</s>' + '\\n' }}{% elif message['role'] == 'tool' %}{{ '<s>user\\n<tool_response>' + content + '</tool_response></s>\\n<s>assistant\\n' }}{% endif %}{% endfor %}";
}
