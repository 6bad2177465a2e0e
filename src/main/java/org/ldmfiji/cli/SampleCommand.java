package org.ldmfiji.cli;

import ij.ImagePlus;

import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.task.OptionTable;
import org.ldmfiji.imagej.SampleImage;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code ./ldm sample --width W --height H --output OUT}: an image of any size from the label-conditioned denoiser,
 * sampled in overlapping tiles ({@link SampleImage}, as the Fiji command). Output 8-, 16- or 32-bit ({@code --type},
 * or {@code --bits 8|16|32}; the model's range as 0…255, 0…65535 or 0…1; 32-bit is not clamped), TIFF or PNG,
 * with the run's provenance in the image's Info.
 */
final class SampleCommand {

	private final Options options;

	SampleCommand(List<String> args) {
		options = new Options("sample", args, Set.of("prompt", "negative", "model", "steps", "sampler", "seed", "eta", "device", "output", "width",
			"height", "label", "guidance", "tile", "overlap", "grid", "batch", "type", "bits"), Set.of());
	}

	/** The job's options from the command line, each one absent at the table's default (OptionTableTest reads them). */
	SampleImage.Options taskOptions(RunSettings run) {
		SampleImage.Options o = new SampleImage.Options();
		o.width = options.integer(OptionTable.WIDTH);
		o.height = options.integer(OptionTable.HEIGHT);
		String bits = options.get("bits", null);
		o.type(bits != null ? checkedType(bits + "-bit") : options.choice(OptionTable.TYPE));
		o.sampling = run.sampling;
		o.label = options.text(OptionTable.LABEL);
		o.guidance = options.number(OptionTable.GUIDANCE);
		o.tile = options.integer(OptionTable.TILE);
		o.overlap = options.integer(OptionTable.OVERLAP);
		o.grid = options.choice(OptionTable.GRID);
		o.batch = options.integer(OptionTable.BATCH);
		return o;
	}

	int run(PrintStream out) {
		if (options.get("width", null) == null || options.get("height", null) == null)
			throw new Options.UsageException("'sample' needs --width and --height (pixels)");
		Path output = Paths.get(options.required("output"));
		RunSettings run = new RunSettings(options, 0);
		SampleImage.Options o = taskOptions(run);
		if (output.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png") && o.bitDepth != 8)
			throw new Options.UsageException("a PNG holds 8 bits: use --type 8-bit or write a .tif");
		OutputPlan plan = new OutputPlan().model(run.model);
		plan.output("--output", output, () -> ImageFiles.bytes(o.width, o.height, plan.manifest().imageChannels,
			o.bitDepth / 8)).check();
		try (ModelBundle bundle = run.openBundle()) {
			out.println(String.format(Locale.ROOT, "model %s on %s, %s, %dx%d", bundle.manifest().name, bundle.device(),
				run.sampling, o.width, o.height));
			long start = System.nanoTime();
			ImagePlus image = SampleImage.run(bundle, o, new CliProgress(out, "sample"));
			ImageFiles.save(image, output);
			out.println(String.format(Locale.ROOT, "wrote %s (%d-bit, %.1f s)", output.toAbsolutePath(), o.bitDepth,
				(System.nanoTime() - start) / 1e9));
			return 0;
		}
	}

	private static String checkedType(String type) {
		try {
			return OptionTable.TYPE.choice(type);
		}
		catch (IllegalArgumentException e) {
			throw new Options.UsageException("--bits must be 8, 16 or 32, got '" + type.replace("-bit", "") + "'");
		}
	}
}
