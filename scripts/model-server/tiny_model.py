#!/usr/bin/env python3
"""Writes the tiny model the real-model tests serve (issue 21): a random-weight
llama-architecture GGUF of about 270k parameters, made at test time so nothing is
downloaded, and deterministic (the same bytes on every run: fixed seed, no clock).

Its vocabulary is SentencePiece-style (llama.cpp's "llama" tokenizer): control tokens for
ChatML, the 256 byte-fallback tokens, single characters and a few words. Its chat
template is ChatML. The weights are random except for one trick that keeps a report
going until the server's token limit: dimension 0 of the residual stream is a constant
(every token embedding has it, no layer writes to it), and the output rows of every
control and byte token weigh that dimension strongly negative, so end-of-stream (and
any token that is not plain text) is never the likely next token.

Usage: tiny_model.py OUT.gguf
"""

import sys

import numpy as np
from gguf import GGUFWriter, TokenType

SEED = 21
N_EMBD = 64
N_HEAD = 4
N_LAYER = 4
N_FF = 192
CONTEXT = 32768

CONTROL = ["<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"]
UNK, BOS, EOS_SPM, IM_START, IM_END = range(len(CONTROL))
WORDS = [
    "the", "contract", "function", "owner", "call", "transfer", "require", "balance",
    "reentrancy", "overflow", "access", "control", "risk", "high", "medium", "low",
    "finding", "fix", "state", "external", "storage", "check", "value", "sender",
]
CHATML = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


def vocabulary():
    """Tokens, their SentencePiece scores and their types, in id order."""
    tokens = list(CONTROL)
    types = [TokenType.UNKNOWN] + [TokenType.CONTROL] * (len(CONTROL) - 1)
    tokens += [f"<0x{b:02X}>" for b in range(256)]
    types += [TokenType.BYTE] * 256
    chars = [chr(c) for c in range(0x21, 0x7F)]
    text = ["\u2581", "\n"] + chars + ["\u2581" + c for c in chars] + ["\u2581" + w for w in WORDS]
    tokens += text
    types += [TokenType.NORMAL] * len(text)
    # Longer pieces win the SentencePiece merges; specials and bytes score lowest.
    scores = [-1000.0] * (len(CONTROL) + 256) + [float(len(t)) - 10.0 for t in text]
    return tokens, scores, types


def weights(n_vocab, types):
    """Every tensor of the model, by GGUF name, as float32 numpy arrays (out, in)."""
    rng = np.random.default_rng(SEED)

    def random(*shape, scale):
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    tensors = {}
    embd = random(n_vocab, N_EMBD, scale=0.3)
    embd[:, 0] = 1.0  # the constant dimension
    tensors["token_embd.weight"] = embd
    for i in range(N_LAYER):
        blk = f"blk.{i}"
        tensors[f"{blk}.attn_norm.weight"] = np.ones(N_EMBD, dtype=np.float32)
        for name in ("attn_q", "attn_k", "attn_v"):
            tensors[f"{blk}.{name}.weight"] = random(N_EMBD, N_EMBD, scale=0.15)
        attn_out = random(N_EMBD, N_EMBD, scale=0.15)
        attn_out[0, :] = 0.0  # no layer writes the constant dimension
        tensors[f"{blk}.attn_output.weight"] = attn_out
        tensors[f"{blk}.ffn_norm.weight"] = np.ones(N_EMBD, dtype=np.float32)
        tensors[f"{blk}.ffn_gate.weight"] = random(N_FF, N_EMBD, scale=0.15)
        tensors[f"{blk}.ffn_up.weight"] = random(N_FF, N_EMBD, scale=0.15)
        down = random(N_EMBD, N_FF, scale=0.1)
        down[0, :] = 0.0
        tensors[f"{blk}.ffn_down.weight"] = down
    tensors["output_norm.weight"] = np.ones(N_EMBD, dtype=np.float32)
    output = random(n_vocab, N_EMBD, scale=0.5)
    output[:, 0] = 0.0
    not_text = np.array([t != TokenType.NORMAL for t in types])
    # The normalised constant dimension is about sqrt(N_EMBD) = 8: these logits sit
    # near -160 while text tokens' spread a few units around 0.
    output[not_text, 0] = -20.0
    tensors["output.weight"] = output
    return tensors


def write(path):
    tokens, scores, types = vocabulary()
    w = GGUFWriter(path, "llama")
    w.add_name("auditstream tiny test model")
    w.add_context_length(CONTEXT)
    w.add_embedding_length(N_EMBD)
    w.add_block_count(N_LAYER)
    w.add_feed_forward_length(N_FF)
    w.add_head_count(N_HEAD)
    w.add_head_count_kv(N_HEAD)
    w.add_rope_dimension_count(N_EMBD // N_HEAD)
    w.add_rope_freq_base(10000.0)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_vocab_size(len(tokens))
    w.add_file_type(0)  # all F32
    w.add_tokenizer_model("llama")
    w.add_token_list(tokens)
    w.add_token_scores(scores)
    w.add_token_types(types)
    w.add_unk_token_id(UNK)
    w.add_bos_token_id(BOS)
    w.add_eos_token_id(IM_END)
    w.add_add_bos_token(True)
    w.add_add_eos_token(False)
    w.add_chat_template(CHATML)
    for name, tensor in weights(len(tokens), types).items():
        w.add_tensor(name, tensor)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: tiny_model.py OUT.gguf")
    write(sys.argv[1])
