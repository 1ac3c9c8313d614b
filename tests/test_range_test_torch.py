"""The torch range-test runner against torch-lr-finder 0.2.2's real ``LRFinder``, and its state handling.

* Same model, data, seed and settings: the lrs and the (smoothed) losses equal
  ``LRFinder.range_test``'s history exactly (``==`` on floats), including the early stop at
  divergence, gradient accumulation, a validation loader, a loader shorter than the sweep
  and SGD / Adam; ``result.suggestion`` equals the lr returned by ``LRFinder.plot(suggest_lr=True)``;
  with ``restore=False`` the model is left with exactly torch-lr-finder's trained weights.
* Restore (default): weights, buffers, grads, train/eval flags, the optimizer's state (in
  place) and param-group dicts (same objects) are put back, also when an exception escapes.
* An optimizer with an lr scheduler attached works (torch-lr-finder raises) and the
  scheduler's state and later lrs are unaffected; tensor lrs keep their object.
* Bad input (empty loader, NaN first loss, bad sweep, bad batch) raises clearly, model untouched.
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Iterator
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # tqdm.autonotebook's experimental warning
    from torch_lr_finder import LRFinder

from lrfuncs.backends._range_torch import range_test
from lrfuncs.schedules.sweep import lr_sweep

pytestmark = pytest.mark.filterwarnings(
    "ignore:To get the last learning rate computed by the scheduler:UserWarning",  # torch-lr-finder's get_lr()
    "ignore::DeprecationWarning:torch_lr_finder",
)


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread() -> Iterator[None]:
    """Tiny models: two threads on a shared two-core machine are 20x slower than one."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def _data(n: int = 200, seed: int = 0) -> TensorDataset:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 8, generator=g)
    y = (x @ torch.randn(8, 3, generator=g)).argmax(1)
    return TensorDataset(x, y)


def _model(bn: bool = False, seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    layers: list[torch.nn.Module] = [torch.nn.Linear(8, 16)]
    if bn:
        layers.append(torch.nn.BatchNorm1d(16))
    layers += [torch.nn.ReLU(), torch.nn.Linear(16, 3)]
    return torch.nn.Sequential(*layers)


def _optimizer(name: str, model: torch.nn.Module) -> torch.optim.Optimizer:
    if name == "sgd":
        return torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    return torch.optim.Adam(model.parameters(), lr=1e-3)


def _snapshot(model: torch.nn.Module, opt: torch.optim.Optimizer) -> tuple[Any, Any]:
    return copy.deepcopy(model.state_dict()), copy.deepcopy(opt.state_dict())


def _assert_same_state(model: torch.nn.Module, opt: torch.optim.Optimizer, snap: tuple[Any, Any]) -> None:
    weights, opt_state = snap
    now = model.state_dict()
    assert now.keys() == weights.keys()
    for k in weights:
        assert torch.equal(now[k], weights[k]), k
    _assert_equal_tree(opt.state_dict(), opt_state)


def _assert_equal_tree(a: Any, b: Any) -> None:
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor)
        assert torch.equal(a, b)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            _assert_equal_tree(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _assert_equal_tree(x, y)
    else:
        assert a == b


# ----------------------------------------------------------------------------------------------
# Exact parity with LRFinder.range_test
# ----------------------------------------------------------------------------------------------

PARITY = [
    # (optimizer, mode, end_lr, num_steps, accumulation, validation, batch size)
    ("sgd", "exp", 10.0, 60, 1, False, 32),  # diverges and stops early; the loader (7 batches) restarts
    ("sgd", "linear", 10.0, 40, 1, False, 32),
    ("adam", "exp", 10.0, 60, 2, False, 16),
    ("adam", "exp", 0.01, 30, 1, False, 64),  # never diverges: runs all 30 updates
    ("sgd", "exp", 10.0, 30, 1, True, 50),  # the recorded loss is the validation loss
    ("adam", "linear", 1.0, 25, 3, True, 40),
]


@pytest.mark.parametrize(("opt_name", "mode", "end_lr", "n", "acc", "val", "bs"), PARITY)
def test_parity_with_torch_lr_finder(
    opt_name: str, mode: str, end_lr: float, n: int, acc: int, val: bool, bs: int, capsys: Any
) -> None:
    train = DataLoader(_data(), batch_size=bs)
    valid = DataLoader(_data(60, seed=1), batch_size=25) if val else None
    criterion = torch.nn.CrossEntropyLoss()

    theirs_model = _model()
    theirs_opt = _optimizer(opt_name, theirs_model)
    finder = LRFinder(theirs_model, theirs_opt, criterion)
    finder.range_test(train, val_loader=valid, start_lr=1e-4, end_lr=end_lr, num_iter=n, step_mode=mode,
                      accumulation_steps=acc)
    history = finder.history

    model = _model()
    opt = _optimizer(opt_name, model)
    snap = _snapshot(model, opt)
    result = range_test(model, opt, criterion, train, val_loader=valid, start_lr=1e-4, end_lr=end_lr, num_steps=n,
                        mode=mode, accumulation_steps=acc, progress=False)

    assert result.lrs.tolist() == history["lr"]  # bit for bit
    assert result.smoothed.tolist() == history["loss"]
    stopped = len(history["lr"]) < n
    assert result.stopped_early == stopped
    assert result.diverged == (len(history["lr"]) - 1 if stopped else None)
    fig, ax = plt.subplots()
    if len(history["lr"]) >= 17:
        _, suggested = finder.plot(ax=ax, suggest_lr=True)
        assert result.suggestion == suggested
    else:
        assert result.suggestion is None
    plt.close(fig)
    _assert_same_state(model, opt, snap)  # and ours put everything back
    capsys.readouterr()


def test_restore_false_leaves_torch_lr_finders_trained_model() -> None:
    train = DataLoader(_data(), batch_size=32)
    criterion = torch.nn.CrossEntropyLoss()
    theirs = _model()
    theirs_opt = _optimizer("sgd", theirs)
    LRFinder(theirs, theirs_opt, criterion).range_test(train, start_lr=1e-4, end_lr=1.0, num_iter=20)
    ours = _model()
    ours_opt = _optimizer("sgd", ours)
    range_test(ours, ours_opt, criterion, train, start_lr=1e-4, end_lr=1.0, num_steps=20, progress=False,
               restore=False)
    for (k, a), b in zip(ours.state_dict().items(), theirs.state_dict().values(), strict=True):
        assert torch.equal(a, b), k
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        assert torch.equal(ours_opt.state[p]["momentum_buffer"], theirs_opt.state[q]["momentum_buffer"])
    assert ours_opt.param_groups[0]["lr"] == 0.1  # the groups are always put back
    assert "initial_lr" not in ours_opt.param_groups[0]
    # torch-lr-finder leaves its scheduler's lr one step past end_lr, and `initial_lr`, until reset()
    assert theirs_opt.param_groups[0]["lr"] == pytest.approx(1e-4 * 1e4 ** (20 / 19), rel=1e-12)
    assert "initial_lr" in theirs_opt.param_groups[0]


# ----------------------------------------------------------------------------------------------
# What is restored
# ----------------------------------------------------------------------------------------------


def test_restores_everything_in_place() -> None:
    model = _model(bn=True)
    opt = _optimizer("adam", model)
    train = DataLoader(_data(), batch_size=32)
    criterion = torch.nn.CrossEntropyLoss()
    # some history: optimizer state, BN statistics, grads
    for x, y in train:
        opt.zero_grad()
        criterion(model(x), y).backward()
        opt.step()
    model.eval()
    params = list(model.parameters())
    grads = [p.grad.clone() for p in params]
    exp_avg = [opt.state[p]["exp_avg"] for p in params]
    groups, group0 = opt.param_groups, opt.param_groups[0]
    snap = _snapshot(model, opt)
    result = range_test(model, opt, criterion, train, start_lr=1e-5, end_lr=10.0, num_steps=40, progress=False)
    assert len(result.lrs) > 17
    _assert_same_state(model, opt, snap)
    assert list(model.parameters()) == params  # same Parameter objects
    assert all(opt.state[p]["exp_avg"] is t for p, t in zip(params, exp_avg, strict=True))  # restored in place
    assert all(torch.equal(p.grad, g) for p, g in zip(params, grads, strict=True))
    assert not model.training
    assert not any(m.training for m in model.modules())
    assert opt.param_groups is groups
    assert opt.param_groups[0] is group0
    assert group0["lr"] == 1e-3


class _Boom(Exception):
    pass


def test_restores_when_an_exception_escapes() -> None:
    model = _model()
    opt = _optimizer("sgd", model)
    snap = _snapshot(model, opt)
    calls = []

    def criterion(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        calls.append(1)
        if len(calls) == 6:
            raise _Boom
        return torch.nn.functional.cross_entropy(out, y)

    with pytest.raises(_Boom):
        range_test(model, opt, criterion, DataLoader(_data(), batch_size=32), start_lr=1e-3, end_lr=10.0,
                   num_steps=20, progress=False)
    _assert_same_state(model, opt, snap)
    assert opt.param_groups[0]["lr"] == 0.1
    assert model.training


def test_optimizer_with_a_scheduler_attached() -> None:
    """torch-lr-finder refuses it; lrfuncs runs, and the scheduler continues as if nothing happened."""
    criterion = torch.nn.CrossEntropyLoss()
    train = DataLoader(_data(), batch_size=32)

    def setup() -> tuple[torch.nn.Module, Any, Any]:
        m = _model()
        o = _optimizer("sgd", m)
        s = torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.5, total_steps=30)
        for x, y in list(train)[:3]:
            o.zero_grad()
            criterion(m(x), y).backward()
            o.step()
            s.step()
        return m, o, s

    model, opt, sched = setup()
    with pytest.raises(RuntimeError, match="already has a scheduler attached"):
        LRFinder(model, opt, criterion)
    before_sched = copy.deepcopy(sched.state_dict())
    before_groups = copy.deepcopy(opt.param_groups[0])
    snap = _snapshot(model, opt)
    result = range_test(model, opt, criterion, train, start_lr=1e-4, end_lr=10.0, num_steps=30, progress=False)
    assert len(result.lrs) > 0
    _assert_equal_tree(sched.state_dict(), before_sched)
    assert {k: v for k, v in opt.param_groups[0].items() if k != "params"} == {
        k: v for k, v in before_groups.items() if k != "params"
    }
    _assert_same_state(model, opt, snap)
    # the rest of the one-cycle run is the same as without the range test
    twin_model, twin_opt, twin_sched = setup()
    for (x, y), _ in zip(train, range(5), strict=False):
        for m, o, s in ((model, opt, sched), (twin_model, twin_opt, twin_sched)):
            o.zero_grad()
            criterion(m(x), y).backward()
            o.step()
            s.step()
        assert opt.param_groups[0]["lr"] == twin_opt.param_groups[0]["lr"]
        assert opt.param_groups[0]["momentum"] == twin_opt.param_groups[0]["momentum"]
    for a, b in zip(model.parameters(), twin_model.parameters(), strict=True):
        assert torch.equal(a, b)


def test_tensor_lr_keeps_its_object() -> None:
    model = _model()
    lr = torch.tensor(0.05)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    result = range_test(model, opt, torch.nn.CrossEntropyLoss(), DataLoader(_data(), batch_size=32),
                        start_lr=1e-4, end_lr=1.0, num_steps=20, progress=False)
    assert opt.param_groups[0]["lr"] is lr
    assert float(lr) == pytest.approx(0.05)
    assert result.lrs[-1] == 1.0


def test_conventions_and_modes_drive_the_lrs() -> None:
    for convention in ("torch_lr_finder", "fastai", "lightning"):
        model = _model()
        r = range_test(model, _optimizer("sgd", model), torch.nn.CrossEntropyLoss(),
                       DataLoader(_data(), batch_size=32), start_lr=1e-5, end_lr=1e-2, num_steps=12,
                       convention=convention, stop_on_divergence=False, progress=False)
        expected = [lr_sweep(k, start_lr=1e-5, end_lr=1e-2, num_steps=12, convention=convention) for k in range(12)]
        assert r.lrs.tolist() == expected
        assert r.settings["convention"] == convention
        assert r.settings["runner"] == "torch"


def test_bias_corrected_smoothing_and_no_early_stop() -> None:
    model = _model()
    r = range_test(model, _optimizer("sgd", model), torch.nn.CrossEntropyLoss(), DataLoader(_data(), batch_size=32),
                   start_lr=1e-4, end_lr=100.0, num_steps=40, smooth_f=0.02, bias_correction=True, diverge_th=4.0,
                   stop_on_divergence=False, progress=False)
    assert len(r.lrs) == 40
    assert not r.stopped_early
    assert r.diverged is not None
    assert r.diverged < 39
    assert r.smoothed[0] == r.losses[0]
    assert r.settings["bias_correction"] is True
    assert r.settings["diverge_th"] == 4.0


def test_accumulation_amp_unpack_device_and_progress(capsys: Any) -> None:
    data = _data()
    dict_batches = [{"x": data.tensors[0][i : i + 20], "y": data.tensors[1][i : i + 20]} for i in range(0, 200, 20)]
    model = _model()
    snap = _snapshot(model, opt := _optimizer("adam", model))
    r = range_test(model, opt, torch.nn.CrossEntropyLoss(), dict_batches, start_lr=1e-4, end_lr=1.0, num_steps=25,
                   accumulation_steps=2, amp=True, device="cpu", unpack=lambda b: (b["x"], b["y"]), progress=True)
    assert r.settings["amp"] == "bfloat16"
    assert len(r.lrs) > 0
    assert all(math.isfinite(x) for x in r.losses[:5])
    _assert_same_state(model, opt, snap)
    assert "LR range test" in capsys.readouterr().err  # the tqdm bar
    range_test(model, opt, torch.nn.CrossEntropyLoss(), DataLoader(data, batch_size=50), start_lr=1e-4, end_lr=1.0,
               num_steps=5, progress=False)
    assert capsys.readouterr().err == ""


def test_later_nan_is_divergence() -> None:
    model = _model()
    calls = []

    def criterion(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        calls.append(1)
        loss = torch.nn.functional.cross_entropy(out, y)
        return loss * math.nan if len(calls) == 8 else loss

    r = range_test(model, _optimizer("sgd", model), criterion, DataLoader(_data(), batch_size=32), start_lr=1e-4,
                   end_lr=1e-2, num_steps=30, progress=False)
    assert r.diverged == 7
    assert len(r.lrs) == 8
    assert math.isnan(r.losses[7])


# ----------------------------------------------------------------------------------------------
# Bad input
# ----------------------------------------------------------------------------------------------


def _run(**overrides: Any) -> Any:
    model = overrides.pop("model", None) or _model()
    opt = overrides.pop("opt", None) or _optimizer("sgd", model)
    kw: dict[str, Any] = {
        "criterion": torch.nn.CrossEntropyLoss(),
        "train_loader": DataLoader(_data(), batch_size=32),
        "start_lr": 1e-4,
        "end_lr": 1.0,
        "num_steps": 10,
        "progress": False,
        **overrides,
    }
    crit, loader = kw.pop("criterion"), kw.pop("train_loader")
    return range_test(model, opt, crit, loader, **kw)


@pytest.mark.parametrize(
    ("overrides", "exc", "match"),
    [
        ({"end_lr": 1e-4}, ValueError, r"`start_lr` must be < `end_lr`. Received: start_lr=0.0001, end_lr=0.0001"),
        ({"start_lr": 0.0}, ValueError, r"`start_lr` must be > 0"),
        ({"start_lr": -1.0, "end_lr": -0.5}, ValueError, r"`start_lr` must be > 0"),
        ({"num_steps": 1}, ValueError, r"`num_steps` must be >= 2"),
        ({"mode": "cos"}, ValueError, r"`mode` must be one of 'exp', 'linear'"),
        ({"accumulation_steps": 0}, ValueError, r"`accumulation_steps` must be >= 1"),
        ({"smooth_f": 1.0}, ValueError, r"`smooth_f` must be in \[0, 1\)"),
        ({"diverge_th": 0.5}, ValueError, r"`threshold` must be a number >= 1"),
        ({"spacing": "log"}, ValueError, r"`spacing` must be one of"),
        ({"train_loader": []}, ValueError, r"`train_loader` yielded no batches"),
        ({"train_loader": 5}, TypeError, r"`train_loader` must be iterable"),
        ({"train_loader": [torch.zeros(4, 8)]}, TypeError, r"\(inputs, labels, \.\.\.\) tuples"),
        ({"val_loader": []}, ValueError, r"`val_loader` yielded no samples"),
        ({"amp": "fp16"}, TypeError, r"`amp` must be True, False or a torch dtype"),
        ({"restore": 1}, TypeError, r"`restore` must be True or False"),
    ],
)
def test_bad_input_leaves_the_model_alone(overrides: dict[str, Any], exc: type[Exception], match: str) -> None:
    model = _model()
    opt = _optimizer("sgd", model)
    snap = _snapshot(model, opt)
    with pytest.raises(exc, match=match):
        _run(model=model, opt=opt, **overrides)
    _assert_same_state(model, opt, snap)
    assert opt.param_groups[0]["lr"] == 0.1


def test_exhausted_generator_is_an_error() -> None:
    batches = iter(list(DataLoader(_data(), batch_size=50)))  # 4 batches, then nothing: cannot start over
    with pytest.raises(ValueError, match="exhausted generator cannot"):
        _run(train_loader=batches, num_steps=10)


def test_nan_at_the_first_step_restores_the_model() -> None:
    model = _model()
    opt = _optimizer("sgd", model)
    snap = _snapshot(model, opt)
    with pytest.raises(ValueError, match=r"loss of the first update \(lr=0.0001\) is nan.*restored"):
        _run(model=model, opt=opt, criterion=lambda out, y: out.sum() * math.nan)
    _assert_same_state(model, opt, snap)  # the NaN step had been taken: restoring mattered
    assert all(torch.isfinite(p).all() for p in model.parameters())


def test_type_errors() -> None:
    model = _model()
    with pytest.raises(TypeError, match=r"`model` must be a torch\.nn\.Module"):
        range_test(lambda x: x, _optimizer("sgd", model), torch.nn.MSELoss(), [], start_lr=1e-3, end_lr=1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="`optimizer` must be a torch Optimizer"):
        range_test(model, object(), torch.nn.MSELoss(), [], start_lr=1e-3, end_lr=1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no parameters"):
        range_test(torch.nn.ReLU(), _optimizer("sgd", model), torch.nn.MSELoss(), [], start_lr=1e-3, end_lr=1.0)
