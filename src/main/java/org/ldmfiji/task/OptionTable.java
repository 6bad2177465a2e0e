package org.ldmfiji.task;

import org.ldmfiji.tiling.TileSettings;

import java.util.List;

/**
 * Every option of the three tasks, once: name, default, range or choices, and help. The SciJava commands, the ImageJ
 * 1.x dialogs, the CLI and the README's option table read or are checked against these ({@code OptionTableTest}),
 * and the tasks check their settings with them, so that a value refused in one entry point is refused in all.
 */
public final class OptionTable {

	private OptionTable() {}

	/** Macro numbers are doubles: seeds stay exact up to 2^53. */
	private static final long SEED_LIMIT = 1L << 53;
	private static final int PX = 1 << 16;

	// Every task.
	public static final Option MODEL = Option.text("model", "Model (name or folder)", "demo",
		"a model name in the models folders, or a bundle folder");
	public static final Option SAMPLER = Option.choice("sampler", "Sampler", "dpmpp2m", List.of("dpmpp2m", "ddim"),
		"dpmpp2m: DPM-Solver++(2M), good in 20 steps; ddim: DDIM as CompVis (about 50 steps)");
	public static final Option STEPS = Option.integer("steps", "Steps", 20, 1, 1000, "denoising steps");
	public static final Option SEED = Option.integer("seed", "Seed", 0, -SEED_LIMIT, SEED_LIMIT,
		"same seed and settings on the same device: the same result, bit for bit");
	public static final Option ETA = Option.number("eta", "Eta (DDIM)", 0, 0, 1,
		"DDIM's step noise (0: deterministic); ignored by dpmpp2m");
	public static final Option DEVICE = Option.choice("device", "Device", "auto", List.of("auto", "cpu", "gpu"),
		"auto: the GPU when DJL finds CUDA, else the CPU");
	public static final Option SAMPLES = Option.integer("samples", "Samples", 1, 1, 64,
		"inpainting: more than 1 gives independent fills as a stack, and a standard-deviation map");

	// Text prompts: every task, for models converted from text-conditioned checkpoints (Stable Diffusion). The
	// negative prompt's key is one word: ImageJ's Macro.getValue would find "prompt=" inside "negative-prompt=".
	public static final Option PROMPT = Option.text("prompt", "Prompt (models that take text)", "",
		"the text the model is conditioned on (models that take text, e.g. Stable Diffusion; leave empty for others)");
	public static final Option NEGATIVE_PROMPT = Option.text("negative", "Negative prompt (empty: the model's null prompt)",
		"", "the unconditional context of classifier-free guidance: what to steer away from (models that take text)");

	// Inpainting.
	public static final Option MASK = Option.text("mask", "Mask image title (empty: the selection)", "",
		"the image whose non-zero pixels are filled (a window title in ImageJ, a file in the CLI)");
	// grow 0 by default: every pixel grown into the mask is a known pixel replaced by a guess (on real images a
	// 4 px grow took the biharmonic floor itself from 0.13 to 0.18 MAE; models/demo/EVALUATION.md, issue #18)
	public static final Option GROW = Option.integer("grow", "Grow (px)", 0, 0, 10000,
		"pixels the mask is dilated by, to cover the soft edge of a defect (0: the mask as given)");
	public static final Option FEATHER = Option.integer("feather", "Feather (px, in the grow margin)", 4, 0, 10000,
		"band in the grow margin where fill and source blend (the mask itself is always replaced)");
	public static final Option CONTEXT = Option.integer("context", "Context (px around the mask)", 32, 0, 10000,
		"surrounding image the model sees around the mask (at least one latent cell)");
	public static final Option STRENGTH = Option.number("strength", "Strength (1: from noise)", 0.3, 0.01, 1,
		"1: sample from noise, the model's detail kept whole; less: start from the smooth continuation of the surroundings "
			+ "and keep closer to it");
	public static final Option SEAM = Option.choice("seam", "Seam", "blend", List.of(Seam.labels()),
		"how the fill meets the known pixels: blend, harmonize, correct or hard (see the README)");
	public static final Option STACK = Option.flag("stack", "Stack: fill all planes", false,
		"fill every plane of a stack with the same mask");
	public static final Option INPLACE = Option.flag("inplace", "Inplace: modify this image", false,
		"write the fill into the source image instead of a new one");

	// Super-resolution.
	public static final Option SR_SAMPLES = Option.integer("samples", "Samples (averaged into the result)", 8, 1, 64,
		"super-resolution: samples averaged into the result, in one batch (an estimate of the posterior mean, closest "
			+ "to the truth on average), with a standard-deviation map; 1: a single sample, sharper but with invented "
			+ "detail");
	public static final Option SR_STEPS = Option.integer("steps", "Steps", 10, 1, 1000,
		"super-resolution: denoising steps of each sample (10 give the mean of the samples as well as 20, in about "
			+ "half the time; models/demo/EVALUATION.md)");
	public static final Option TILE = Option.integer("tile", "Tile (px, 0 = auto)", 0, 0, PX,
		"tile side for large images (super-resolution: input pixels; sampling: output pixels)");
	public static final Option CONSISTENCY = Option.flag("consistency", "Consistency with the input (back-projection)",
		true, "correct the result, smoothly, so that area-downsampled it gives the input");
	public static final Option CURRENT = Option.flag("current", "Current plane only (refuse stacks)", false,
		"refuse stacks instead of processing every plane");

	// Large-image sampling.
	public static final Option WIDTH = Option.integer("width", "Width (px)", 512, 1, 1 << 17, "width of the new image");
	public static final Option HEIGHT = Option.integer("height", "Height (px)", 512, 1, 1 << 17,
		"height of the new image");
	public static final Option LABEL = Option.text("label", "Label (empty: the model's first)", "",
		"the domain label the model is conditioned on; empty: the model's first label");
	public static final Option GUIDANCE = Option.number("guidance", "Guidance scale", 3, 0, 30,
		"classifier-free guidance scale (1: none); inpainting and super-resolution use it with models that take text");
	public static final Option OVERLAP = Option.integer("overlap", "Overlap (px, 0 = auto)", 0, 0, PX,
		"overlap of neighbouring tiles");
	public static final Option GRID = Option.choice("grid", "Grid of the tiles", TileSettings.GRIDS.get(0),
		TileSettings.GRIDS, "fixed: fitted tiles in a grid that stays in place (tile: exact); torus: tiles on a torus "
			+ "whose grid shifts every step (tile: the largest stride); shifting: no overlap, shifting (seams with few steps)");
	public static final Option TYPE = Option.choice("type", "Type", "8-bit", List.of("8-bit", "16-bit", "32-bit"),
		"the new image's type (32-bit: the model's range as 0 to 1, not clamped: samples reach a little beyond)");
	public static final Option BATCH = Option.integer("batch", "Batch (tiles per forward, 0 = auto)", 0, 0, 1024,
		"tiles denoised in one forward");

	/** The options of each task, in dialog order (the CLI's --input/--output and the like are not options here). */
	public static final List<Option> INPAINT = List.of(MODEL, MASK, SAMPLER, STEPS, SEED, SAMPLES, GROW, FEATHER, CONTEXT,
		STRENGTH, SEAM, STACK, INPLACE, PROMPT, NEGATIVE_PROMPT, GUIDANCE);
	public static final List<Option> SUPER_RESOLUTION = List.of(MODEL, SAMPLER, SR_STEPS, SEED, SR_SAMPLES, TILE, CONSISTENCY,
		CURRENT, PROMPT, NEGATIVE_PROMPT, GUIDANCE);
	public static final List<Option> SAMPLE = List.of(WIDTH, HEIGHT, LABEL, PROMPT, NEGATIVE_PROMPT, GUIDANCE, MODEL,
		SAMPLER, STEPS, SEED, TILE, OVERLAP, GRID, TYPE);
	/** Options only the CLI offers. */
	public static final List<Option> CLI_ONLY = List.of(ETA, DEVICE, BATCH);

	/** A prompt of at most {@link org.ldmfiji.model.Manifest.ContextSpec#MAX_PROMPT_CHARS} characters. */
	static String checkPrompt(Option o, String text) {
		if (text == null) throw new IllegalArgumentException(o.key + " must be a text (empty for none)");
		int max = org.ldmfiji.model.Manifest.ContextSpec.MAX_PROMPT_CHARS;
		if (text.length() > max) throw new IllegalArgumentException(o.key + " must have at most " + max
			+ " characters, got " + text.length());
		return text;
	}

	/** Every option once, in the order of the README's table. */
	public static List<Option> all() {
		List<Option> all = new java.util.ArrayList<>();
		for (List<Option> l : List.of(INPAINT, SUPER_RESOLUTION, SAMPLE, CLI_ONLY))
			for (Option o : l) if (!all.contains(o)) all.add(o);
		return all;
	}

	/** The README's table of options (checked by a test against the README). */
	public static String markdown() {
		StringBuilder s = new StringBuilder("| option | default | allowed | what it does |\n|---|---|---|---|\n");
		for (Option o : all())
			s.append("| `").append(o.key).append("` | ").append(o.defaultAsText().isEmpty() ? "(empty)" : o.defaultAsText())
				.append(" | ").append(o.range()).append(" | ").append(o.help).append(" |\n");
		return s.toString();
	}
}
