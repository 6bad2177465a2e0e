package org.ldmfiji.cli;

import ij.ImagePlus;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;

import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.IjImages;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.task.OptionTable;
import org.ldmfiji.task.SuperResolution;
import org.ldmfiji.imagej.SuperResolveImage;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * {@code ./ldm superres --input IMG --output OUT}: IMG x4 (the model's f), every plane, in IMG's type and value range
 * ({@link SuperResolveImage}); consistency with the input unless {@code --no-consistency}. With {@code --samples N > 1}
 * OUT is their mean and OUT-std the per-pixel standard deviation. With {@code --reference HR} (the high-resolution
 * image that IMG was area-downsampled from) it also prints the PSNR of the result and of bicubic against HR.
 */
final class SuperResCommand {

	private final Options options;

	SuperResCommand(List<String> args) {
		options = new Options("superres", args, Set.of("prompt", "negative", "guidance", "input", "output", "model", "steps", "sampler", "seed", "eta",
			"device", "samples", "tile", "reference"), Set.of("no-consistency"));
	}

	/** The job's options from the command line, each one absent at the table's default (OptionTableTest reads them). */
	SuperResolveImage.Options taskOptions(RunSettings run) {
		SuperResolveImage.Options o = new SuperResolveImage.Options();
		o.sampling = run.sampling(OptionTable.SR_STEPS);
		o.samples = options.integer(OptionTable.SR_SAMPLES);
		o.tile = options.integer(OptionTable.TILE);
		o.consistency = !options.flag("no-consistency");
		return o;
	}

	int run(PrintStream out) {
		Path input = Paths.get(options.required("input")), output = Paths.get(options.required("output"));
		RunSettings run = new RunSettings(options, 0);
		SuperResolveImage.Options o = taskOptions(run);
		Path referenceFile = options.get("reference", null) == null ? null : Paths.get(options.get("reference", null));
		OutputPlan plan = new OutputPlan().input("--input", input).model(run.model);
		if (referenceFile != null) plan.input("--reference", referenceFile);
		var imp = ImageFiles.open(input);
		ImagePlus reference = referenceFile == null ? null : ImageFiles.open(referenceFile);
		long planes = imp.getStackSize() * (imp.getBitDepth() == 24 ? 3L : 1L);
		LongSupplier pixels = () -> { // x f in each direction; f from the manifest, read without loading the model
			long f = plan.manifest().autoencoder.factor;
			return imp.getWidth() * f * imp.getHeight() * f;
		};
		plan.image("--output", output, imp.getBitDepth(), imp.getStackSize(), () -> pixels.getAsLong() * planes
			* (imp.getBitDepth() == 24 ? 1 : imp.getBitDepth() / 8));
		Path std = sibling(output, "-std");
		if (o.samples > 1) plan.output("the -std file of --samples", std, () -> pixels.getAsLong() * planes * 4);
		plan.check();
		SuperResolution.requireTile(plan.manifest(), o.tile);
		try (ModelBundle bundle = run.openBundle()) {
			int f = bundle.manifest().autoencoder.factor;
			if (reference != null) requireReferenceFits(reference, imp.getWidth() * f, imp.getHeight() * f, imp.getStackSize(),
				imp.getBitDepth());
			out.println("model " + bundle.manifest().name + " on " + bundle.device() + ", " + o.sampling + ", input " + input);
			SuperResolveImage.Result r = SuperResolveImage.run(bundle, imp, o, new CliProgress(out, "superres"));
			if (r.std == null) ImageFiles.save(r.image, output);
			else ImageFiles.saveAll(new ImagePlus[] {r.image, r.std}, new Path[] {output, std});
			out.println("wrote " + output + " (" + r.image.getWidth() + "x" + r.image.getHeight() + ")");
			if (r.std != null)
				out.println("wrote " + std + " (per-pixel standard deviation of the " + o.samples + " samples)");
			if (reference != null) compare(out, imp, r.image, reference, f);
		}
		return 0;
	}

	/**
	 * {@code --reference HR}: the evaluation of issue 5 through the CLI. PSNR of the result and of ImageJ's bicubic
	 * x f resize of the input against the high-resolution reference (all planes and channels, pixels where either has no
	 * data, NaN, left out; peak = the reference's value range), and their difference (the gain over bicubic).
	 */
	static void compare(PrintStream out, ImagePlus low, ImagePlus result, ImagePlus reference, int f) {
		requireReferenceFits(reference, result.getWidth(), result.getHeight(), result.getStackSize(), result.getBitDepth());
		double sr = 0, bicubic = 0, lo = Double.MAX_VALUE, hi = -Double.MAX_VALUE;
		long n = 0;
		for (int p = 1; p <= reference.getStackSize(); p++) {
			FloatPlanes ref = IjImages.read(reference.getStack().getProcessor(p));
			FloatPlanes res = IjImages.read(result.getStack().getProcessor(p));
			FloatPlanes in = IjImages.read(low.getStack().getProcessor(p));
			for (int c = 0; c < ref.channels(); c++) {
				ImageProcessor fp = new FloatProcessor(in.width(), in.height(), in.channel(c).data().clone());
				fp.setInterpolationMethod(ImageProcessor.BICUBIC);
				float[] bi = (float[]) fp.resize(in.width() * f, in.height() * f, true).getPixels();
				float[] r = ref.channel(c).data(), s = res.channel(c).data();
				for (int i = 0; i < r.length; i++) {
					if (!Float.isFinite(r[i]) || !Float.isFinite(s[i]) || !Float.isFinite(bi[i])) continue; // no data (NaN)
					sr += (s[i] - r[i]) * (double) (s[i] - r[i]);
					bicubic += (bi[i] - r[i]) * (double) (bi[i] - r[i]);
					lo = Math.min(lo, r[i]);
					hi = Math.max(hi, r[i]);
					n++;
				}
			}
		}
		double peak = hi - lo, psnrSr = 10 * Math.log10(peak * peak / (sr / n)), psnrBi = 10 * Math.log10(peak * peak
			/ (bicubic / n));
		out.println(String.format(Locale.ROOT, "PSNR vs reference (peak %.6g): LDM x%d %.2f dB, bicubic %.2f dB, gain %+.2f dB",
			peak, f, psnrSr, psnrBi, psnrSr - psnrBi));
	}

	/** The reference must have the result's size, planes and type (checked before the run, and again for the result). */
	static void requireReferenceFits(ImagePlus reference, int width, int height, int planes, int bits) {
		if (reference.getWidth() != width || reference.getHeight() != height || reference.getStackSize() != planes
			|| reference.getBitDepth() != bits)
			throw new IllegalArgumentException("reference '" + reference.getTitle() + "' is " + reference.getWidth() + "x"
				+ reference.getHeight() + "x" + reference.getStackSize() + " " + reference.getBitDepth() + "-bit, the result "
				+ width + "x" + height + "x" + planes + " " + bits + "-bit: give the high-resolution image the input was made "
				+ "from");
	}

	/** OUT with a suffix before its extension, always .tif (a std map is 32-bit): out.png, -std gives out-std.tif. */
	static Path sibling(Path output, String suffix) {
		String name = output.getFileName().toString();
		int dot = name.lastIndexOf('.');
		String stem = dot > 0 ? name.substring(0, dot) : name;
		return output.resolveSibling(stem + suffix + ".tif");
	}
}
