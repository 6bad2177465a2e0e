"""evaluate_real.py's inpainting-only runs: the goals and the before/after table from the inpainting figures alone."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import evaluate_real  # noqa: E402
import real_images  # noqa: E402


def _row(i, mae, bih, texture, border):
    return {"id": real_images.EVALUATION[i].id, "mask": "boxes", "cover": 0.1, "ldm_mae": mae, "biharmonic_mae": bih,
            "texture": texture, "border": border}


def test_inpainting_goals_need_no_super_resolution_figures():
    goals = {g: ok for g, _, ok in evaluate_real.goals([], [_row(0, 0.1, 0.2, 1.0, 1.1), _row(1, 0.2, 0.2, 0.4, 1.5)], [])}
    assert goals["inpainting: MAE no worse than biharmonic on average"]
    assert not goals["inpainting: texture ratio 0.5-2 on every image"]
    assert not goals["inpainting: border ratio <= 1.3 on every image"]
    assert not any(g.startswith("SR") for g in goals)


def test_comparison_shows_both_runs_and_their_goals():
    before = {"inpaint": [_row(0, 0.3, 0.2, 1.0, 1.5), _row(1, 0.3, 0.2, 1.0, 1.2)]}
    after = {"inpaint": [_row(0, 0.1, 0.2, 0.9, 1.0), _row(1, 0.2, 0.2, 0.8, 1.1)]}
    text = evaluate_real.comparison(before, after, "### t", "n")
    assert text.startswith(evaluate_real.CBEGIN) and text.endswith(evaluate_real.CEND)
    assert "0.3000 / 0.1000" in text and "| **mean** | | | | 0.2000 | 0.3000 / 0.1500 |" in text
    mae_line = next(line for line in text.splitlines() if line.startswith("| inpainting: MAE"))
    assert "(**FAIL**) | 0.1500 vs 0.2000 (**pass**)" in mae_line
