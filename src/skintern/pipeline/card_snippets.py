"""The code in an exported model card: transformers and vLLM snippets that build the exact
prompt the student was trained on, generate as `skintern predict` does and print the answers.

Pure functions of `Usage`. Tests run the transformers snippet as written and compare its
answers with `skintern predict`'s.
"""

from __future__ import annotations

from dataclasses import dataclass

from skintern.models.generate import _ANSWER_DONE  # the answer-sentence stop skintern applies
from skintern.pipeline.prompt_template import NAME
from skintern.records import FINAL_PHRASE


@dataclass(frozen=True)
class Usage:
    """What the snippets need to know about one export."""

    path: str  # the exported folder (or its hub id once uploaded)
    base: str | None  # adapter-only: the base model to load the adapter onto
    questions: list[tuple[str, str]]  # (task, question) examples
    max_new_tokens: int
    stop: tuple[str, ...] = ()  # extra stop strings of the run's eval config
    stop_at_answer: bool = True
    template: bool = True  # the tokenizer has the named template (else the plain prompt)


def _questions(usage: Usage) -> str:
    rows = "".join(f"    ({task!r}, {question!r}),\n" for task, question in usage.questions)
    return f"questions = [  # (task, question)\n{rows}]\n"


def _cut(usage: Usage) -> str:
    """`cut(text)`: where skintern's generation stops (`skintern.models.generate`)."""
    lines = [f"STOP = {list(usage.stop)!r}  # stop strings (cut off)"]
    if usage.stop_at_answer:
        lines.append(
            f"ANSWER_DONE = re.compile({_ANSWER_DONE.pattern!r})  # the answer sentence is complete"
        )
    lines += [
        "",
        "",
        "def cut(text):",
        '    """The output up to where skintern stops generating."""',
        "    ends = [text.find(s) for s in STOP if s and s in text]",
    ]
    if usage.stop_at_answer:
        lines.append("    ends += [m.end() for m in [ANSWER_DONE.search(text)] if m]")
    lines.append("    return (text[: min(ends)] if ends else text).strip()")
    return "\n".join(lines) + "\n"


def _encode(usage: Usage, tensors: bool) -> str:
    """The call that turns (task, question) into the model's input."""
    if not usage.template:
        return "    raise SystemExit('the student has no chat template: see skintern.json')\n"
    returns = 'return_tensors="pt"' if tensors else "return_dict=False"
    return (
        "    inputs = tokenizer.apply_chat_template(\n"
        '        [{"role": "user", "content": question}],\n'
        f'        chat_template="{NAME}",  # the bare question -> the prompt it was trained on\n'
        "        task=task,\n"
        "        add_generation_prompt=True,\n"
        f"        {returns},\n"
        "    )\n"
    )


def _answer_line() -> str:
    return (
        f'    final = rationale.rpartition("{FINAL_PHRASE}")\n'
        '    answer = final[2].strip(" .") if final[1] else None\n'
        '    row = {"task": task, "question": question, "rationale": rationale, "answer": answer}\n'
        "    print(json.dumps(row))\n"
    )


def transformers_snippet(usage: Usage) -> str:
    """Load the student with transformers, answer `usage.questions`, print JSON lines."""
    if usage.base is None:
        load = "model = AutoModelForCausalLM.from_pretrained(path)\n"
        imports = "from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig\n"
    else:
        load = (
            f"base = AutoModelForCausalLM.from_pretrained({usage.base!r})\n"
            "model = PeftModel.from_pretrained(base, path)  # the LoRA adapter\n"
        )
        imports = (
            "from peft import PeftModel\n"
            "from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig\n"
        )
    return (
        f"import json\nimport re\n\n{imports}\n"
        f"path = {usage.path!r}  # this folder, or its hub id once uploaded\n"
        "tokenizer = AutoTokenizer.from_pretrained(path)\n"
        f"{load}"
        f"generation = GenerationConfig.from_pretrained(path)  # greedy, at most "
        f"{usage.max_new_tokens} new tokens\n"
        f"{_cut(usage)}\n\n"
        f"{_questions(usage)}"
        "for task, question in questions:\n"
        f"{_encode(usage, tensors=True)}"
        "    output = model.generate(**inputs, generation_config=generation)\n"
        '    new = output[0, inputs["input_ids"].shape[1] :]\n'
        "    rationale = cut(tokenizer.decode(new, skip_special_tokens=True))\n"
        f"{_answer_line()}"
    )


def vllm_snippet(usage: Usage) -> str:
    """The same with vLLM offline: token ids from the named template, greedy decoding."""
    if usage.base is None:
        llm = "llm = LLM(model=path)\nlora = None\n"
        imports = "from vllm import LLM, SamplingParams\n"
    else:
        llm = (
            f"llm = LLM(model={usage.base!r}, enable_lora=True)\n"
            'lora = LoRARequest("student", 1, path)\n'
        )
        imports = (
            "from vllm import LLM, SamplingParams\nfrom vllm.lora.request import LoRARequest\n"
        )
    return (
        f"import json\nimport re\n\nfrom transformers import AutoTokenizer\n{imports}\n"
        f"path = {usage.path!r}  # this folder, or its hub id once uploaded\n"
        "tokenizer = AutoTokenizer.from_pretrained(path)\n"
        f"{llm}"
        f"params = SamplingParams(temperature=0, max_tokens={usage.max_new_tokens})\n"
        f"{_cut(usage)}\n\n"
        f"{_questions(usage)}"
        "prompts = []\n"
        "for task, question in questions:\n"
        f"{_encode(usage, tensors=False)}"
        '    prompts.append({"prompt_token_ids": inputs})\n'
        "outputs = llm.generate(prompts, params, lora_request=lora)\n"
        "for (task, question), out in zip(questions, outputs):\n"
        "    rationale = cut(out.outputs[0].text)\n"
        f"{_answer_line()}"
    )


def serve_lines(usage: Usage) -> str:
    """`vllm serve` with the named template as the chat template: bare questions in."""
    template = f"{usage.path}/additional_chat_templates/{NAME}.jinja"
    model = usage.path if usage.base is None else usage.base
    lora = "" if usage.base is None else f" --enable-lora --lora-modules student={usage.path}"
    task = usage.questions[0][0] if usage.questions else "TASK"
    return (
        f"vllm serve {model}{lora} --chat-template {template}\n"
        "# then send bare questions; the task goes in vLLM's chat_template_kwargs:\n"
        f'#   {{"messages": [...], "chat_template_kwargs": {{"task": "{task}"}}, '
        '"temperature": 0}'
    )
