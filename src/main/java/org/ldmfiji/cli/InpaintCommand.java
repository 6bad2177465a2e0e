package org.ldmfiji.cli;

import ij.ImagePlus;

import org.ldmfiji.image.IjImages;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.imagej.InpaintImage;
import org.ldmfiji.imagej.Selections;
import org.ldmfiji.task.Masks;
import org.ldmfiji.task.OptionTable;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code ./ldm inpaint --input IMG --mask MASK --output OUT}: fills the mask image's non-zero pixels of every plane of
 * IMG ({@link InpaintImage}); pixels outside the grown mask are written back bit for bit. With {@code --samples N > 1}
 * OUT holds the N fills as a stack and OUT-std the per-pixel standard deviation. {@code --evaluate} prints the
 * evaluation figures of a fill over an intact image ({@link #evaluate}).
 */
final class InpaintCommand {

	private final Options options;

	InpaintCommand(List<String> args) {
		options = new Options("inpaint", args, Set.of("prompt", "negative", "guidance", "input", "mask", "output", "model", "steps", "sampler", "seed", "eta",
			"device", "samples", "grow", "feather", "context", "strength", "seam"), Set.of("evaluate"));
	}

	/** The job's options from the command line, each one absent at the table's default (OptionTableTest reads them). */
	InpaintImage.Options taskOptions(RunSettings run) {
		InpaintImage.Options o = new InpaintImage.Options();
		o.sampling = run.sampling;
		o.samples = options.integer(OptionTable.SAMPLES);
		o.grow = options.integer(OptionTable.GROW);
		o.feather = options.integer(OptionTable.FEATHER);
		o.context = options.integer(OptionTable.CONTEXT);
		o.strength = options.number(OptionTable.STRENGTH);
		o.seam(options.choice(OptionTable.SEAM));
		o.allPlanes = o.samples == 1;
		return o;
	}

	int run(PrintStream out) {
		Path input = Paths.get(options.required("input")), maskFile = Paths.get(options.required("mask"));
		Path output = Paths.get(options.required("output"));
		RunSettings run = new RunSettings(options, 0);
		InpaintImage.Options o = taskOptions(run);
		OutputPlan plan = new OutputPlan().input("--input", input).input("--mask", maskFile);
		ImagePlus imp = ImageFiles.open(input);
		boolean[] mask = Selections.maskOf(ImageFiles.open(maskFile), imp);
		int w = imp.getWidth(), h = imp.getHeight(), planes = imp.getBitDepth() == 24 ? 3 : imp.getNChannels();
		long outPlanes = o.samples == 1 ? imp.getStackSize() : (long) imp.getNChannels() * o.samples;
		plan.image("--output", output, imp.getBitDepth(), outPlanes, () -> ImageFiles.bytes(w, h, outPlanes,
			imp.getBitDepth() == 24 ? 3 : imp.getBitDepth() / 8));
		Path std = SuperResCommand.sibling(output, "-std");
		if (o.samples > 1) plan.output("the -std file of --samples", std, () -> ImageFiles.bytes(w, h, planes, 4));
		plan.model(run.model).check();
		try (ModelBundle bundle = run.openBundle()) {
			out.println("model " + bundle.manifest().name + " on " + bundle.device() + ", " + run.sampling + ", input " + input);
			InpaintImage.Result r = InpaintImage.run(bundle, imp, mask, o, new CliProgress(out, "inpaint"));
			if (r.std == null) ImageFiles.save(r.image, output);
			else ImageFiles.saveAll(new ImagePlus[] {r.image, r.std}, new Path[] {output, std});
			out.println("wrote " + output);
			if (r.std != null)
				out.println("wrote " + std + " (per-pixel standard deviation of the " + o.samples + " samples)");
			if (options.flag("evaluate")) evaluate(out, imp, r.image, Masks.grow(mask, imp.getWidth(), imp.getHeight(), o.grow));
		}
		return 0;
	}

	/**
	 * {@code --evaluate}: issue 3's inpainting figures for a mask over an intact image, measured on the first plane
	 * (first channel) of the result (all its samples, if several):
	 * <ul>
	 * <li>RMSE inside the mask of the samples' mean against the original pixels (compare with biharmonic inpainting
	 * of the same mask, e.g. skimage.restoration.inpaint_biharmonic, on the Python side);</li>
	 * <li>high-frequency energy of the fill relative to its surroundings: mean squared 4-neighbour Laplacian inside
	 * the mask over the same in the ring of 8 px around it (goal 0.7 to 1.3);</li>
	 * <li>border gradient jump: mean |difference| of 4-neighbour pairs straddling the mask border over the same for
	 * pairs in the ring (goal &lt;= 1.2).</li>
	 * </ul>
	 */
	static void evaluate(PrintStream out, ImagePlus original, ImagePlus result, boolean[] mask) {
		int w = original.getWidth(), h = original.getHeight(), samples = result.getNFrames() * result.getNSlices();
		int per = original.getBitDepth() == 24 ? 1 : original.getNChannels();
		float[] truth = IjImages.read(original.getStack().getProcessor(1)).channel(0).data();
		double[] mean = new double[w * h];
		double hfFill = 0, hfRing = 0, jumpBorder = 0, jumpRing = 0;
		long nFill = 0, nRing = 0, nBorder = 0, nRingPairs = 0;
		boolean[] ring = Masks.grow(mask, w, h, 8);
		for (int i = 0; i < ring.length; i++) ring[i] &= !mask[i];
		for (int s = 0; s < samples; s++) {
			float[] v = IjImages.read(result.getStack().getProcessor(s * per + 1)).channel(0).data();
			for (int i = 0; i < v.length; i++) mean[i] += v[i] / samples;
			for (int y = 1; y < h - 1; y++)
				for (int x = 1; x < w - 1; x++) {
					int i = y * w + x;
					double lap = v[i - 1] + v[i + 1] + v[i - w] + v[i + w] - 4.0 * v[i];
					if (mask[i]) {
						hfFill += lap * lap;
						nFill++;
					}
					else if (ring[i]) {
						hfRing += lap * lap;
						nRing++;
					}
					for (int q : new int[] {i + 1, i + w}) {
						double d = Math.abs(v[q] - v[i]);
						if (mask[i] != mask[q]) {
							jumpBorder += d;
							nBorder++;
						}
						else if (ring[i] && ring[q]) {
							jumpRing += d;
							nRingPairs++;
						}
					}
				}
		}
		double se = 0;
		long n = 0;
		for (int i = 0; i < mask.length; i++)
			if (mask[i]) {
				se += (mean[i] - truth[i]) * (mean[i] - truth[i]);
				n++;
			}
		out.println(String.format(Locale.ROOT, "evaluation (%d sample(s), %d mask pixels): RMSE of the mean inside the mask "
			+ "%.6g; high-frequency energy fill/surroundings %.3f; border gradient jump / surroundings %.3f", samples, n,
			Math.sqrt(se / n), (hfFill / nFill) / (hfRing / nRing), (jumpBorder / nBorder) / (jumpRing / nRingPairs)));
	}
}
