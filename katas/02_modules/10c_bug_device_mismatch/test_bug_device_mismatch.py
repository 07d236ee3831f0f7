"""Spec for bugs/device-mismatch: the same code runs on whatever device its inputs are on."""

import pytest
import torch
from bug_device_mismatch import BagOfWordsClassifier, masked_mean

from katakit.testing import assert_tensor

VOCAB, EMBED_DIM, NUM_CLASSES = 11, 4, 3
# (batch, time, dim, lengths): lengths include 1 and the full width T.
CASES = [(3, 5, 4, [5, 2, 1]), (4, 6, 2, [1, 6, 3, 4]), (2, 3, 7, [3, 3])]


def make_model(seed: int) -> BagOfWordsClassifier:
    torch.manual_seed(seed)
    return BagOfWordsClassifier(VOCAB, EMBED_DIM, NUM_CLASSES)


def batch(lengths: list[int], time: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Token ids (padding positions hold random ids too) and the lengths as int64."""
    gen = torch.Generator().manual_seed(seed)
    tokens = torch.randint(0, VOCAB, (len(lengths), time), generator=gen)
    return tokens, torch.tensor(lengths)


def per_sentence_mean(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    return torch.stack([x[i, : int(n)].mean(dim=0) for i, n in enumerate(lengths)])


@pytest.mark.parametrize(("b", "t", "d", "lengths"), CASES)
def test_masked_mean_matches_per_sentence_mean(b: int, t: int, d: int, lengths: list[int]) -> None:
    x = torch.randn(b, t, d, generator=torch.Generator().manual_seed(t))
    lens = torch.tensor(lengths)
    assert_tensor(
        masked_mean(x, lens),
        per_sentence_mean(x, lens),
        what=f"masked_mean of a {(b, t, d)} batch with lengths {lengths}",
        atol=1e-6,
        rtol=1e-5,
    )


def test_masked_mean_keeps_dtype_and_inputs() -> None:
    x = torch.randn(3, 5, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    lens = torch.tensor([2, 5, 1])
    before = (x.clone(), lens.clone())
    assert_tensor(
        masked_mean(x, lens), per_sentence_mean(x, lens), what="masked_mean of float64 input"
    )
    assert_tensor(x, before[0], what="x after masked_mean (must not change)", atol=0, rtol=0)
    assert_tensor(lens, before[1], what="lengths after masked_mean (must not change)")


def test_masked_mean_runs_on_the_device_of_its_inputs() -> None:
    x = torch.empty(3, 5, 4, device="meta")
    lens = torch.tensor([5, 2, 1]).to("meta")
    out = masked_mean(x, lens)
    assert out.device.type == "meta", (
        f"masked_mean of meta tensors returned a tensor on {out.device.type}: everything it "
        "creates must live on the device of its inputs"
    )
    assert (tuple(out.shape), out.dtype) == ((3, 4), torch.float32), (
        f"expected a (3, 4) float32 result, got {tuple(out.shape)} {out.dtype}"
    )


@pytest.mark.parametrize(("b", "t", "d", "lengths"), CASES)
def test_classifier_matches_independent_computation(
    b: int, t: int, d: int, lengths: list[int]
) -> None:
    model = make_model(seed=b)
    tokens, lens = batch(lengths, t, seed=t)
    with torch.no_grad():
        got = model(tokens, lens)
        average = per_sentence_mean(model.embed.weight[tokens], lens)
        want = average @ model.head.weight.T + model.head.bias
    assert_tensor(
        got,
        want,
        what=f"logits for {b} sentences of lengths {lengths} (padded to {t})",
        atol=1e-6,
        rtol=1e-5,
    )


def test_classifier_ignores_padding_tokens() -> None:
    model = make_model(seed=2)
    tokens, lens = batch([4, 1, 6], time=6, seed=3)
    other_padding = tokens.clone()
    for i, n in enumerate(lens.tolist()):
        other_padding[i, n:] = (tokens[i, n:] + 1) % VOCAB
    with torch.no_grad():
        assert_tensor(
            model(other_padding, lens),
            model(tokens, lens),
            what="logits after changing only the padding tokens (padding must not count)",
            atol=0,
            rtol=0,
        )


def test_classifier_runs_on_the_device_of_the_model() -> None:
    model = make_model(seed=4).to("meta")
    tokens, lens = batch([5, 2, 1, 3], time=5, seed=5)
    out = model(tokens.to("meta"), lens.to("meta"))
    assert out.device.type == "meta", (
        f"with the model and the inputs on meta, the logits came back on {out.device.type}"
    )
    assert (tuple(out.shape), out.dtype) == ((4, NUM_CLASSES), torch.float32), (
        f"expected (4, {NUM_CLASSES}) float32 logits, got {tuple(out.shape)} {out.dtype}"
    )


@pytest.mark.gpu
def test_classifier_on_cuda_matches_cpu() -> None:
    model = make_model(seed=6)
    tokens, lens = batch([5, 2, 1, 3], time=5, seed=7)
    with torch.no_grad():
        want = model(tokens, lens)
        got = model.to("cuda")(tokens.to("cuda"), lens.to("cuda"))
    assert got.is_cuda, f"with the model and the inputs on cuda, the logits are on {got.device}"
    assert_tensor(got.cpu(), want, what="logits on cuda, brought back", atol=1e-5, rtol=1e-4)
