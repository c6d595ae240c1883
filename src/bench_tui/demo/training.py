"""Training output (FORMATS §8), eval reports (§7), episodes and predictions (§9) of the demo.

The story: tern-vl-3b is fine-tuned with LoRA on one human demonstration (sign in to a web shop and
buy red socks); predictions on that episode improve epoch by epoch, and the offline eval reports
show the fine-tune passing the LoRA gate (+0.338 action-type accuracy over the base model).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench_tui.demo.apps import catalog
from bench_tui.demo.benchmark import Output
from bench_tui.demo.screens import HEIGHT, WIDTH

JOB_ID = "20251106_141005"
JOB_STARTED = datetime(2025, 11, 6, 14, 10, 5)
MODEL = "tern-vl-3b"
CONFIG_PATH = "configs/tern3b_checkout.yaml"
EXPERIMENT = "sockshop-checkout"
EPOCHS = 3
STEPS_PER_EPOCH = 50
PEAK_LR = 5e-5
WARMUP = 10
# how likely the checkpoint after each epoch predicts a step's action type correctly
EPOCH_SKILL = (0.4, 0.7, 0.9)
EPOCH_SPREAD = (0.11, 0.05, 0.018)


@dataclass(frozen=True)
class HumanStep:
    screen: str
    kind: str
    target: str | None = None
    text: str | None = None
    key: str | None = None
    mods: tuple[str, ...] = ()


@dataclass(frozen=True)
class Capture:
    name: str
    capture_id: str
    episode_id: str
    instruction: str
    recorded: datetime
    app: str
    steps: tuple[HumanStep, ...]


SHOP = Capture(
    EXPERIMENT,
    "7f3a2c91",
    "ep_sockshop_0001",
    "Sign in to the sock shop as alice and buy one pair of red socks",
    datetime(2025, 11, 5, 16, 20, 11),
    "chrome",
    (
        HumanStep("ch_shop_login", "click", "field_username"),
        HumanStep("ch_shop_login", "type", text="alice"),
        HumanStep("ch_login_user", "click", "field_password"),
        HumanStep("ch_login_user", "type", text="hunter2"),
        HumanStep("ch_login_both", "click", "btn_signin"),
        HumanStep("ch_shop_home", "click", "add_red"),
        HumanStep("ch_cart_added", "click", "link_cart"),
        HumanStep("ch_cart", "click", "btn_checkout"),
        HumanStep("ch_checkout", "click", "btn_place_order"),
    ),
)
NOTES = Capture(
    "notepad-meeting-notes",
    "b81e04d6",
    "ep_notepad_0001",
    "Add the line 'Action items: ship v2' to meeting_notes.txt and save it",
    datetime(2025, 11, 5, 16, 41, 52),
    "notepad",
    (
        HumanStep("np_doc", "click", "editor"),
        HumanStep("np_doc", "hotkey", key="end", mods=("ctrl",)),
        HumanStep("np_doc", "type", text="\nAction items: ship v2"),
        HumanStep("np_doc_appended", "hotkey", key="s", mods=("ctrl",)),
    ),
)
URLS = {
    "ch_shop_login": "https://sockshop.example/login",
    "ch_login_user": "https://sockshop.example/login",
    "ch_login_both": "https://sockshop.example/login",
    "ch_shop_home": "https://sockshop.example/catalogue",
    "ch_cart_added": "https://sockshop.example/catalogue",
    "ch_cart": "https://sockshop.example/cart",
    "ch_checkout": "https://sockshop.example/checkout",
}


@dataclass(frozen=True)
class TrainingOutput:
    job: Path
    checkpoints: list[Path]
    eval_reports: list[Path]
    episodes: list[Path]
    current_link: bool


def write_training(out: Output, root: Path) -> TrainingOutput:
    job = root / "training_output" / JOB_ID
    episodes = [
        write_episode(out, root / "captures" / capture.name, capture) for capture in (SHOP, NOTES)
    ]
    losses = loss_curve()
    predictions = [predictions_for(epoch) for epoch in range(1, EPOCHS + 1)]
    for epoch, data in enumerate(predictions, start=1):
        out.writer.write_json(job / f"predictions_epoch{epoch}.json", data)
    for index, step in enumerate(SHOP.steps):
        out.screenshot(
            step.screen, job / "screenshots" / f"capture_{SHOP.capture_id}_step_{index}.png"
        )
    out.writer.write_json(job / "config.json", training_config())
    out.writer.write_json(job / "training_log.json", training_log(losses, predictions))
    out.writer.write_text(job / "training.log", training_text_log(losses, predictions))
    # newest job, as the trainer links it; a filesystem without symlinks simply has no `current`
    linked = out.writer.symlink(JOB_ID, root / "training_output" / "current")
    checkpoints = []
    for epoch in range(1, EPOCHS + 1):
        folder = root / "checkpoints" / f"epoch_{epoch}"
        out.writer.write_json(folder / "adapter_config.json", adapter_config())
        checkpoints.append(folder)
    reports = write_eval_reports(out, root / "experiments" / EXPERIMENT / "eval")
    return TrainingOutput(job, checkpoints, reports, episodes, linked)


# ---- the human demonstrations -------------------------------------------------------------------


def point(step: HumanStep) -> tuple[int, int, tuple[int, int, int, int]]:
    """Where the human clicked: a little off-centre, as people do."""
    widget = catalog()[step.screen].element(step.target or "")
    rng = random.Random(f"human|{step.screen}|{step.target}")
    x0, y0, x1, y1 = widget.box
    x = widget.center[0] + int((x1 - x0) * rng.uniform(-0.2, 0.2))
    y = widget.center[1] + int((y1 - y0) * rng.uniform(-0.2, 0.2))
    return x, y, widget.box


def episode_action(step: HumanStep) -> dict[str, Any]:
    if step.kind == "click":
        x, y, (x0, y0, x1, y1) = point(step)
        widget = catalog()[step.screen].element(step.target or "")
        return {
            "type": "click",
            "coordinates": {"x": x, "y": y},
            "normalized_coordinates": [round(x / WIDTH, 4), round(y / HEIGHT, 4)],
            "element": {
                "role": widget.role,
                "name": widget.label.lstrip("~") or widget.name,
                "bounds": {"x": x0, "y": y0, "width": x1 - x0, "height": y1 - y0},
            },
            "raw": {
                "button": "left",
                "bbox": [
                    round(x0 / WIDTH, 4),
                    round(y0 / HEIGHT, 4),
                    round(x1 / WIDTH, 4),
                    round(y1 / HEIGHT, 4),
                ],
            },
        }
    if step.kind == "type":
        return {"type": "type", "text": step.text}
    return {
        "type": "hotkey",
        "key": step.key,
        "modifiers": list(step.mods),
        "raw": {"keys": [*step.mods, step.key]},
    }


def write_episode(out: Output, folder: Path, capture: Capture) -> Path:
    steps: list[dict[str, Any]] = []
    clock = 0.0
    rng = random.Random(f"episode|{capture.episode_id}")
    for index, step in enumerate(capture.steps):
        image = f"screenshots/capture_{capture.capture_id}_step_{index}.png"
        out.screenshot(step.screen, folder / image)
        observation: dict[str, Any] = {
            "screenshot_path": image,
            "screen_size": [WIDTH, HEIGHT],
            "app_name": capture.app,
        }
        if step.screen in URLS:
            observation["url"] = URLS[step.screen]
        duration = rng.randint(900, 3800) if step.kind != "type" else 220 * len(step.text or "")
        steps.append(
            {
                "step_index": index,
                "timestamp": round(clock, 2),
                "duration_ms": duration,
                "observation": observation,
                "action": episode_action(step),
                "reasoning": None,
            }
        )
        clock += duration / 1000
    last = steps[-1]["observation"]
    steps.append(
        {
            "step_index": len(steps),
            "timestamp": round(clock, 2),
            "observation": dict(last),
            "action": {"type": "done"},
            "reasoning": "Workflow complete.",
            "done": True,
        }
    )
    episode = {
        "schema_version": "1.0.0",
        "episode_id": capture.episode_id,
        "task_id": capture.name,
        "instruction": capture.instruction,
        "goal": capture.instruction,
        "source": "human",
        "source_file": f"captures/{capture.name}/capture.db",
        "created_at": capture.recorded.isoformat(),
        "success": True,
        "final_reward": 1.0,
        "environment": capture.app,
        "tags": ["demonstration", capture.app],
        "metadata": {"capture_id": capture.capture_id, "recorded_by": "ana.park"},
        "steps": steps,
    }
    return out.writer.write_json(folder / "episode.json", episode)


# ---- predictions per checkpoint ------------------------------------------------------------------


def human_action(step: HumanStep | None) -> dict[str, Any]:
    if step is None:
        return {"type": "done", "x": None, "y": None, "text": None}
    if step.kind == "click":
        x, y, _ = point(step)
        return {"type": "click", "x": round(x / WIDTH, 4), "y": round(y / HEIGHT, 4), "text": None}
    return {"type": step.kind, "x": None, "y": None, "text": step.text}


def predicted_action(epoch: int, index: int, human: dict[str, Any]) -> dict[str, Any]:
    """One checkpoint's guess. The same per-step draw is compared with a skill that grows per
    epoch, so a step predicted right after epoch 1 stays right later: accuracy only improves."""
    draw = random.Random(f"prediction|{index}").random()
    good = draw < EPOCH_SKILL[epoch - 1]
    rng = random.Random(f"prediction|{epoch}|{index}")
    if epoch == 1 and index == 3:
        return {
            "type": "error",
            "raw_output": "Thought: the password field is focused, I should type the the the",
            "error": "Could not parse an action from the model output",
        }
    kind = human["type"]
    if kind == "click" and good:
        spread = EPOCH_SPREAD[epoch - 1]
        x = round(min(max(human["x"] + rng.uniform(-spread, spread), 0.0), 1.0), 3)
        y = round(min(max(human["y"] + rng.uniform(-spread, spread), 0.0), 1.0), 3)
        return {
            "type": "click",
            "x": x,
            "y": y,
            "raw_output": f"Thought: click the target.\nAction: CLICK(x={x:.3f}, y={y:.3f})",
        }
    if kind == "click":
        return {
            "type": "predicted",
            "raw_output": 'Thought: the form needs text.\nAction: TYPE(text="alice")',
        }
    if good:
        verb = "DONE()" if kind == "done" else f'TYPE(text="{human["text"]}")'
        return {"type": "predicted", "raw_output": f"Thought: next step.\nAction: {verb}"}
    x, y = round(rng.uniform(0.2, 0.8), 3), round(rng.uniform(0.2, 0.8), 3)
    return {"type": "click", "x": x, "y": y, "raw_output": f"Action: CLICK(x={x:.3f}, y={y:.3f})"}


def predicted_type(predicted: dict[str, Any]) -> str:
    """The action type a prediction stands for (raw-text predictions name it in the DSL)."""
    kind: str = predicted["type"]
    if kind != "predicted":
        return kind
    raw = predicted.get("raw_output") or ""
    return "done" if "DONE(" in raw else "type" if "TYPE(" in raw else "other"


def predictions_for(epoch: int) -> dict[str, Any]:
    steps: list[HumanStep | None] = [*SHOP.steps, None]
    base_data = []
    predictions = []
    for index, step in enumerate(steps):
        shot = min(index, len(SHOP.steps) - 1)  # the done step reuses the last screenshot
        human = human_action(step)
        base_data.append(
            {
                "index": index,
                "time": index,
                "image_path": f"screenshots/capture_{SHOP.capture_id}_step_{shot}.png",
                "human_action": human,
            }
        )
        predicted = predicted_action(epoch, index, human)
        match = predicted["type"] != "error" and predicted_type(predicted) == human["type"]
        predictions.append({"predicted_action": predicted, "match": match})
    return {"base_data": base_data, "predictions": predictions}


# ---- the training log ----------------------------------------------------------------------------


def learning_rate(step: int) -> float:
    total = EPOCHS * STEPS_PER_EPOCH
    rate = (
        PEAK_LR * step / WARMUP if step <= WARMUP else PEAK_LR * (total - step) / (total - WARMUP)
    )
    return float(f"{rate:.4g}")


def loss_curve() -> list[dict[str, Any]]:
    rng = random.Random("training loss")
    losses = []
    clock = 41.3  # model load before the first step
    for step in range(1, EPOCHS * STEPS_PER_EPOCH + 1):
        epoch = (step - 1) // STEPS_PER_EPOCH
        clean = 0.31 + 2.45 * math.exp(-step / 27) + 0.04 * math.exp(-((step - 62) ** 2) / 20)
        loss = clean * (1 + rng.gauss(0, 0.07))
        if step % 37 == 0:  # the odd hard batch
            loss *= 1.35
        clock += 7.1 + rng.gauss(0, 0.35)
        if step > 1 and (step - 1) % STEPS_PER_EPOCH == 0:
            clock += 38.6  # evaluation and checkpoint at the epoch boundary
        losses.append(
            {
                "epoch": epoch,
                "step": step,
                "loss": round(loss, 4),
                "lr": learning_rate(step),
                "time": round(clock, 2),
            }
        )
    return losses


def evaluations(predictions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for epoch, data in enumerate(predictions):
        for sample in (0, 2, 4, 6):
            human = data["base_data"][sample]["human_action"]
            predicted = data["predictions"][sample]["predicted_action"]
            distance = None
            if predicted["type"] == "click":
                distance = round(
                    math.hypot(predicted["x"] - human["x"], predicted["y"] - human["y"]), 4
                )
            rows.append(
                {
                    "epoch": epoch,
                    "sample_idx": sample,
                    "image_path": data["base_data"][sample]["image_path"],
                    "human_action": human,
                    "predicted_action": {
                        "type": "click"
                        if predicted["type"] == "click"
                        else predicted_type(predicted),
                        "x": predicted.get("x"),
                        "y": predicted.get("y"),
                        "raw_output": predicted.get("raw_output"),
                    },
                    "distance": distance,
                    # upstream compares a normalised distance with 50 (pixels): always true
                    "correct": distance is not None and distance < 50,
                }
            )
    return rows


def training_log(losses: list[dict[str, Any]], predictions: list[dict[str, Any]]) -> dict[str, Any]:
    last = losses[-1]
    return {
        "job_id": JOB_ID,
        "hostname": "gpu-box-2",
        "instance_type": "g5.xlarge",
        "instance_ip": "10.0.3.17",
        "capture_path": f"captures/{EXPERIMENT}",
        "config_path": CONFIG_PATH,
        "goal": SHOP.instruction,
        "model_name": MODEL,
        "lora_r": 8,
        "lora_alpha": 16,
        "load_in_4bit": True,
        "started_at": JOB_STARTED.isoformat() + "Z",
        "epoch": EPOCHS - 1,
        "step": last["step"],
        "total_steps": 0,
        "total_epochs": EPOCHS,
        "loss": last["loss"],
        "learning_rate": last["lr"],
        "samples_seen": 0,
        "elapsed_time": round(last["time"] + 44.1, 2),
        "losses": losses,
        "evaluations": evaluations(predictions),
        "termination_status": "auto_complete",
        "termination_message": f"Training completed all {EPOCHS} epochs",
    }


def training_text_log(losses: list[dict[str, Any]], predictions: list[dict[str, Any]]) -> str:
    def at(seconds: float, message: str) -> str:
        return f"[{JOB_STARTED + timedelta(seconds=seconds):%Y-%m-%d %H:%M:%S}] {message}"

    lines = [
        at(0.4, f"Loading base model {MODEL} (4-bit) on cuda:0"),
        at(
            29.8,
            "LoRA adapter: r=8 alpha=16 dropout=0.05 target_modules=q_proj,k_proj,v_proj,o_proj",
        ),
        at(33.2, f"Loaded capture captures/{EXPERIMENT}: 1 episode, {len(SHOP.steps) + 1} steps"),
        at(41.0, f"Starting training: {EPOCHS} epochs, {STEPS_PER_EPOCH} steps per epoch"),
    ]
    for point_ in losses:
        if point_["step"] % 10 == 0:
            lines.append(
                at(
                    point_["time"],
                    f"epoch={point_['epoch'] + 1} step={point_['step']} loss={point_['loss']:.4f} lr={point_['lr']:.6f}",
                )
            )
        if point_["step"] % STEPS_PER_EPOCH == 0:
            epoch = point_["epoch"]
            chunk = [p["loss"] for p in losses if p["epoch"] == epoch]
            matches = sum(1 for p in predictions[epoch]["predictions"] if p["match"])
            total = len(predictions[epoch]["predictions"])
            lines += [
                at(
                    point_["time"] + 0.5,
                    f"Epoch {epoch + 1}/{EPOCHS} finished: mean loss {sum(chunk) / len(chunk):.4f}",
                ),
                at(point_["time"] + 31.0, f"Evaluation: {matches}/{total} action types match"),
                at(point_["time"] + 37.9, f"Saved checkpoint to checkpoints/epoch_{epoch + 1}"),
            ]
    final = losses[-1]
    lines.append(
        at(
            final["time"] + 44.1,
            f"Training complete (auto_complete): {final['step']} steps, final loss {final['loss']:.4f}",
        )
    )
    return "\n".join(lines) + "\n"


def training_config() -> dict[str, Any]:
    return {
        "model_name": MODEL,
        "capture_path": f"captures/{EXPERIMENT}",
        "config_path": CONFIG_PATH,
        "num_train_epochs": EPOCHS,
        "per_device_train_batch_size": 1,
        "gradient_accumulation_steps": 4,
        "learning_rate": PEAK_LR,
        "lr_scheduler_type": "linear",
        "warmup_steps": WARMUP,
        "early_stop_loss": 0.05,
        "early_stop_patience": 10,
        "checkpoint_dir": "checkpoints",
        "lora_r": 8,
        "lora_alpha": 16,
        "lora_dropout": 0.05,
        "load_in_4bit": True,
        "max_seq_length": 4096,
        "seed": 42,
    }


def adapter_config() -> dict[str, Any]:
    return {
        "base_model_name_or_path": MODEL,
        "peft_type": "LORA",
        "task_type": "CAUSAL_LM",
        "r": 8,
        "lora_alpha": 16,
        "lora_dropout": 0.05,
        "bias": "none",
        "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj"],
        "inference_mode": True,
    }


# ---- offline eval reports ------------------------------------------------------------------------

EVAL_REPORTS: dict[str, tuple[str, dict[str, float | int | None]]] = {
    "eval_tern3b_base.json": (
        "qwen3",
        {
            "num_episodes": 24, "num_steps": 168, "action_type_accuracy": 0.274, "mean_coord_error": 0.161,
            "coord_error_count": 64, "episode_success_rate": 0.0, "click_hit_rate": 0.172, "bbox_hit_rate": None,
            "mean_episode_progress": 0.301, "mean_episode_step_score": 0.098, "weak_episode_success_rate": 0.0,
            "state_success_rate": None, "element_accuracy": None,
        },
    ),
    "eval_tern3b_ft.json": (
        "qwen3",
        {
            "num_episodes": 24, "num_steps": 168, "action_type_accuracy": 0.612, "mean_coord_error": 0.038,
            "coord_error_count": 71, "episode_success_rate": 0.083, "click_hit_rate": 0.789, "bbox_hit_rate": None,
            "mean_episode_progress": 0.655, "mean_episode_step_score": 0.571, "weak_episode_success_rate": 0.208,
            "state_success_rate": None, "element_accuracy": None,
        },
    ),
    "eval_lumen4o.json": (
        "openai",
        {
            "num_episodes": 24, "num_steps": 168, "action_type_accuracy": 0.726, "mean_coord_error": 0.052,
            "coord_error_count": 80, "episode_success_rate": 0.125, "click_hit_rate": 0.713, "bbox_hit_rate": None,
            "mean_episode_progress": 0.702, "mean_episode_step_score": 0.548, "weak_episode_success_rate": 0.25,
            "state_success_rate": 0.167, "element_accuracy": None,
        },
    ),
}  # fmt: skip


def write_eval_reports(out: Output, folder: Path) -> list[Path]:
    paths = []
    for name, (backend, metrics) in EVAL_REPORTS.items():
        report = {
            "config_path": CONFIG_PATH,
            "backend": backend,
            "dsl_mode": "coord",
            "metrics": metrics,
        }
        paths.append(out.writer.write_json(folder / name, report))
    return paths
