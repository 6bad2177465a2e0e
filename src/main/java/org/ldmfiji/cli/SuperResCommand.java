package org.ldmfiji.cli;

import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.task.SuperResolveImage;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;

/**
 * {@code ./ldm superres --input IMG --output OUT}: IMG x4 (the model's f), every plane, in IMG's type and value range
 * ({@link SuperResolveImage}); consistency with the input unless {@code --no-consistency}. With {@code --samples N > 1}
 * OUT is their mean and OUT-std the per-pixel standard deviation.
 */
final class SuperResCommand {

	private final Options options;

	SuperResCommand(List<String> args) {
		options = new Options("superres", args, Set.of("input", "output", "model", "steps", "sampler", "seed", "eta",
			"device", "samples", "tile"), Set.of("no-consistency"));
	}

	int run(PrintStream out) {
		Path input = Paths.get(options.required("input")), output = Paths.get(options.required("output"));
		RunSettings run = new RunSettings(options, 0);
		SuperResolveImage.Options o = new SuperResolveImage.Options();
		o.sampling = run.sampling;
		o.samples = options.integer("samples", 1, 1, 64);
		o.tile = options.integer("tile", 0, 0, 1 << 16);
		o.consistency = !options.flag("no-consistency");
		var imp = ImageFiles.open(input);
		try (ModelBundle bundle = run.openBundle()) {
			out.println("model " + bundle.manifest().name + " on " + bundle.device() + ", " + run.sampling + ", input " + input);
			SuperResolveImage.Result r = SuperResolveImage.run(bundle, imp, o, new CliProgress(out, "superres"));
			ImageFiles.save(r.image, output);
			out.println("wrote " + output + " (" + r.image.getWidth() + "x" + r.image.getHeight() + ")");
			if (r.std != null) {
				Path std = sibling(output, "-std");
				ImageFiles.save(r.std, std);
				out.println("wrote " + std + " (per-pixel standard deviation of the " + o.samples + " samples)");
			}
		}
		return 0;
	}

	/** OUT with a suffix before its extension, always .tif (a std map is 32-bit): out.png, -std gives out-std.tif. */
	static Path sibling(Path output, String suffix) {
		String name = output.getFileName().toString();
		int dot = name.lastIndexOf('.');
		String stem = dot > 0 ? name.substring(0, dot) : name;
		return output.resolveSibling(stem + suffix + ".tif");
	}
}
