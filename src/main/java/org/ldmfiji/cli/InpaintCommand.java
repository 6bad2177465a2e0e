package org.ldmfiji.cli;

import ij.ImagePlus;

import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.task.InpaintImage;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;

/**
 * {@code ./ldm inpaint --input IMG --mask MASK --output OUT}: fills the mask image's non-zero pixels of every plane of
 * IMG ({@link InpaintImage}); pixels outside the grown mask are written back bit for bit. With {@code --samples N > 1}
 * OUT holds the N fills as a stack and OUT-std the per-pixel standard deviation.
 */
final class InpaintCommand {

	private final Options options;

	InpaintCommand(List<String> args) {
		options = new Options("inpaint", args, Set.of("input", "mask", "output", "model", "steps", "sampler", "seed", "eta",
			"device", "samples", "grow", "feather", "context"), Set.of());
	}

	int run(PrintStream out) {
		Path input = Paths.get(options.required("input")), maskFile = Paths.get(options.required("mask"));
		Path output = Paths.get(options.required("output"));
		RunSettings run = new RunSettings(options, 0);
		InpaintImage.Options o = new InpaintImage.Options();
		o.sampling = run.sampling;
		o.samples = options.integer("samples", 1, 1, 64);
		o.grow = options.integer("grow", 4, 0, 10000);
		o.feather = options.integer("feather", 8, 0, 10000);
		o.context = options.integer("context", 32, 0, 10000);
		ImagePlus imp = ImageFiles.open(input);
		o.allPlanes = o.samples == 1;
		boolean[] mask = InpaintImage.maskOf(ImageFiles.open(maskFile), imp);
		try (ModelBundle bundle = run.openBundle()) {
			out.println("model " + bundle.manifest().name + " on " + bundle.device() + ", " + run.sampling + ", input " + input);
			InpaintImage.Result r = InpaintImage.run(bundle, imp, mask, o, new CliProgress(out, "inpaint"));
			ImageFiles.save(r.image, output);
			out.println("wrote " + output);
			if (r.std != null) {
				Path std = SuperResCommand.sibling(output, "-std");
				ImageFiles.save(r.std, std);
				out.println("wrote " + std + " (per-pixel standard deviation of the " + o.samples + " samples)");
			}
		}
		return 0;
	}
}
