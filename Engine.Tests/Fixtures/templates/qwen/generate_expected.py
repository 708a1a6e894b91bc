"""Regenerates cases.json: expected renders of the Qwen templates by Python jinja2 (see ../hf_env.py).

Run: python3 generate_expected.py (needs jinja2).
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))
import jinja2  # noqa: E402
from hf_env import env  # noqa: E402

TOOLS = [
    {"type": "function", "function": {
        "name": "get_weather",
        "description": "查询城市天气 (weather by city)",
        "parameters": {"type": "object", "properties": {
            "city": {"type": "string", "description": "City name, e.g. \"Paris\""},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
            "required": ["city"]}}},
    {"type": "function", "function": {
        "name": "add", "description": "Add two numbers",
        "parameters": {"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "integer"}}}}},
]

CASES = {
    "system_user_assistant_then_prompt": dict(
        messages=[
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "Hi!"},
            {"role": "assistant", "content": "Hello."},
            {"role": "user", "content": "2+2?"}],
        add_generation_prompt=True),
    "user_only_no_prompt": dict(
        messages=[{"role": "user", "content": "你好"}],
        add_generation_prompt=False),
    "tools_tool_calls_and_tool_responses": dict(
        messages=[
            {"role": "system", "content": "You can call tools."},
            {"role": "user", "content": "Weather in Paris and 2+3?"},
            {"role": "assistant", "content": "Let me check.", "tool_calls": [
                {"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}},
                {"type": "function", "function": {"name": "add", "arguments": {"a": 2, "b": 3.5}}}]},
            {"role": "tool", "content": "{\"temp\": 21}"},
            {"role": "tool", "content": "5.5"},
            {"role": "assistant", "content": "It is 21°C; 2+3.5 = 5.5."}],
        tools=TOOLS, add_generation_prompt=False),
    "tools_without_system_then_prompt": dict(
        messages=[{"role": "user", "content": "Add 1 and 2"}],
        tools=TOOLS, add_generation_prompt=True),
    "reasoning_content_after_last_query": dict(
        messages=[
            {"role": "user", "content": "First?"},
            {"role": "assistant", "content": "<think>\nold thoughts\n</think>\n\nOne."},
            {"role": "user", "content": "Second?"},
            {"role": "assistant", "content": "Two.", "reasoning_content": "\nthinking hard\n"}],
        add_generation_prompt=False),
    "inline_think_in_last_assistant": dict(
        messages=[
            {"role": "user", "content": "Why?"},
            {"role": "assistant", "content": "<think>\nBecause.\n</think>\n\nAnswer."}],
        add_generation_prompt=False),
    "multi_step_tool_with_reasoning": dict(
        messages=[
            {"role": "user", "content": "What's 2+3?"},
            {"role": "assistant", "content": "", "reasoning_content": "Use the add tool.", "tool_calls": [
                {"type": "function", "function": {"name": "add", "arguments": "{\"a\": 2, \"b\": 3}"}}]},
            {"role": "tool", "content": "5"},
            {"role": "user", "content": "<tool_response>\nextra\n</tool_response>"},
            {"role": "assistant", "content": "<think>It is 5.</think>The answer is 5."}],
        tools=TOOLS, add_generation_prompt=False),
    "thinking_disabled_prompt": dict(
        messages=[{"role": "system", "content": "S"}, {"role": "user", "content": "Q"}],
        add_generation_prompt=True, extra={"enable_thinking": False}),
    "thinking_enabled_prompt": dict(
        messages=[{"role": "user", "content": "Q"}],
        add_generation_prompt=True, extra={"enable_thinking": True}),
    "system_message_later_in_conversation": dict(
        messages=[
            {"role": "user", "content": "a"},
            {"role": "system", "content": "b"},
            {"role": "assistant", "content": "c"}],
        add_generation_prompt=True),
}

TEMPLATES = ["qwen2_5_instruct.jinja", "qwen3.jinja", "qwen3_assistant_mask.jinja"]

here = Path(__file__).parent
out = []
for template_name in TEMPLATES:
    template = env.from_string((here / template_name).read_text(encoding="utf-8"))
    for case_name, case in CASES.items():
        variables = dict(messages=case["messages"], tools=case.get("tools"), documents=None,
                         add_generation_prompt=case["add_generation_prompt"],
                         bos_token=None, eos_token="<|im_end|>", **case.get("extra", {}))
        del variables["bos_token"]
        try:
            text = template.render(**variables)
        except Exception as error:  # a template may reject a case; record nothing for it
            print(f"skip {template_name}/{case_name}: {error}")
            continue
        out.append({"template": template_name, "case": case_name, "messages": case["messages"],
                    "tools": case.get("tools"), "add_generation_prompt": case["add_generation_prompt"],
                    "extra": case.get("extra", {}), "text": text})

(here / "cases.json").write_text(json.dumps({"generator": f"jinja2 {jinja2.__version__}", "cases": out},
                                            ensure_ascii=False, indent=1), encoding="utf-8")
print(len(out), "cases")
