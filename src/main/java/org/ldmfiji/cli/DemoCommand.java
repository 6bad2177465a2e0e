package org.ldmfiji.cli;

import ij.ImagePlus;
import ij.process.ImageProcessor;

import org.ldmfiji.diffusion.StepListener;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.IjImages;
import org.ldmfiji.image.Normalization;
import org.ldmfiji.image.Quality;
import org.ldmfiji.image.ValueMap;
import org.ldmfiji.model.BundleLocator;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.task.Consistency;
import org.ldmfiji.task.Inpainting;
import org.ldmfiji.task.SuperResolution;
import org.ldmfiji.task.LargeImageSampling;
import org.ldmfiji.tiling.TileSettings;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code ./ldm demo}: runs the bundled demo model on its held-out sample image: inpainting of a box and a scratch,
 * x4 super-resolution of the image area-downsampled by 4 (against bicubic), and label-conditioned samples.
 * Writes TIFFs and a figure {@code demo.png} into the output folder.
 */
final class DemoCommand {

	static final String SAMPLE = "samples/cells-16bit.tif";

	private final Options options;

	DemoCommand(List<String> args) {
		options = new Options("demo", args, Set.of("model", "steps", "sampler", "seed", "eta", "device", "output", "input"),
			Set.of());
	}

	int run(PrintStream out) {
		RunSettings run = new RunSettings(options, 0);
		Path dir = Paths.get(options.get("output", "demo-output"));
		Path folder = BundleLocator.standard().find(run.model); // where the bundle is; it loads after the checks
		Path input = options.get("input", null) != null ? Paths.get(options.get("input", null)) : folder.resolve(SAMPLE);
		OutputPlan plan = new OutputPlan().input("--input", input);
		ImagePlus source = ImageFiles.open(input);
		try {
			Files.createDirectories(dir);
		}
		catch (IOException e) {
			throw IoReason.cannotWrite(dir, e);
		}
		long plane = ImageFiles.bytes(source.getWidth(), source.getHeight(), 1, source.getBitDepth() == 24 ? 3
			: source.getBitDepth() / 8);
		for (String name : List.of("inpainted.tif", "superres-input.tif", "superres-x4.tif", "demo.png"))
			plan.output("--output", dir.resolve(name), () -> name.endsWith(".png") ? 3 * 4 * 4 * plane : plane);
		for (String label : sampleLabels(Manifest.read(folder)))
			plan.output("--output", dir.resolve(sampleFile(label)), () -> plane);
		plan.check();
		try (ModelBundle bundle = run.openBundle()) {
			out.println("model " + bundle.manifest().name + " on " + bundle.device() + ", " + run.sampling + ", input " + input);
			ImageProcessor ip = source.getProcessor();
			FloatPlanes px = IjImages.read(ip);
			double[] range = bundle.manifest().imageRange;
			ValueMap map = Normalization.forBitDepth(source.getBitDepth()).fit(px).onto(range[0], range[1]);
			Figure figure = new Figure(map);

			// 1. inpainting: a box and a scratch
			int w = ip.getWidth(), h = ip.getHeight();
			boolean[] mask = demoMask(w, h);
			FloatPlanes filled = new Inpainting(bundle, run.sampling, 32)
				.run(map.forward(px), mask, 1, progress(out, "inpaint")).get(0);
			FloatPlanes inpainted = px.copy();
			FloatPlanes back = map.inverse(filled);
			for (int i = 0; i < mask.length; i++) if (mask[i]) inpainted.data()[i] = back.data()[i];
			ImagePlus inpaintOut = save(dir, "inpainted.tif", source, inpainted, w, h, 1);
			int changedOutside = 0;
			FloatPlanes written = IjImages.read(inpaintOut.getProcessor());
			for (int i = 0; i < mask.length; i++) if (!mask[i] && written.data()[i] != px.data()[i]) changedOutside++;
			out.println("  inpainting: " + count(mask) + " pixels filled, pixels changed outside the mask: " + changedOutside);
			figure.add("input + mask", withMask(px, mask, map));
			figure.add("inpainted", inpainted);

			// 2. super-resolution x4 of the image area-downsampled by 4
			SuperResolution sr = new SuperResolution(bundle, run.sampling);
			int f = sr.factor();
			FloatPlanes truth = px.crop(h / f * f, w / f * f);
			FloatPlanes low = Consistency.areaDownsample(truth, f);
			FloatPlanes high = map.inverse(sr.run(map.forward(low), true, progress(out, "superres")));
			save(dir, "superres-input.tif", source, low, low.width(), low.height(), 1.0 / f);
			ImagePlus srOut = save(dir, "superres-x4.tif", source, high, high.width(), high.height(), f);
			FloatPlanes bicubic = bicubic(source, low, f);
			double peak = map.hi() - map.lo();
			double psnrSr = Quality.psnr(IjImages.read(srOut.getProcessor()), truth, peak);
			double psnrBicubic = Quality.psnr(bicubic, truth, peak);
			out.println(String.format(Locale.ROOT, "  super-resolution x%d: PSNR %.2f dB (bicubic %.2f dB, gain %+.2f dB)",
				f, psnrSr, psnrBicubic, psnrSr - psnrBicubic));
			figure.add("low-res (x4 nearest)", nearest(low, f));
			figure.add("bicubic x4", bicubic);
			figure.add("LDM x4", high);
			figure.add("ground truth", truth);

			// 3. samples for each domain label
			List<String> labels = sampleLabels(bundle.manifest());
			if (!labels.isEmpty()) {
				LargeImageSampling sampler = new LargeImageSampling(bundle, run.sampling,
					TileSettings.defaults(bundle.manifest(), LargeImageSampling.TASK));
				for (String label : labels) {
					FloatPlanes s = map.inverse(sampler.run(w, h, label.isEmpty() ? null : label, 3.0, progress(out, "sample "
						+ label)));
					save(dir, sampleFile(label), source, s, w, h, 1);
					figure.add("sample: " + label, s);
				}
			}
			Path png = dir.resolve("demo.png");
			figure.save(png);
			out.println("wrote " + dir.toAbsolutePath() + " (figure: " + png + ")");
			return 0;
		}
	}

	/** The labels the demo samples ("" for an unconditional denoiser); none without a sampling denoiser. */
	static List<String> sampleLabels(Manifest m) {
		if (!m.denoisers.containsKey(LargeImageSampling.TASK)) return List.of();
		var context = m.denoiser(LargeImageSampling.TASK).context;
		if (context == null) return List.of("");
		return context.labels.stream().filter(l -> !l.equals(context.nullLabel)).collect(Collectors.toList());
	}

	private static String sampleFile(String label) {
		return "sample-" + (label.isEmpty() ? "unconditional" : label) + ".tif";
	}

	/** A filled box and a 3-pixel diagonal scratch, away from the border. */
	static boolean[] demoMask(int w, int h) {
		boolean[] mask = new boolean[w * h];
		for (int y = h * 5 / 16; y < h * 7 / 16; y++)
			for (int x = w * 9 / 16; x < w * 12 / 16; x++) mask[y * w + x] = true;
		for (int x = w / 8; x < w * 3 / 8; x++) {
			int yc = h * 3 / 4 - (x - w / 8) / 3;
			for (int y = yc - 1; y <= yc + 1; y++) mask[y * w + x] = true;
		}
		return mask;
	}

	private static int count(boolean[] mask) {
		int n = 0;
		for (boolean b : mask) if (b) n++;
		return n;
	}

	private static StepListener progress(PrintStream out, String what) {
		long start = System.nanoTime();
		return (done, total) -> {
			if (done == total) out.println(String.format(Locale.ROOT, "  %s: %d steps in %.1f s", what, total,
				(System.nanoTime() - start) / 1e9));
		};
	}

	private static ImagePlus save(Path dir, String name, ImagePlus template, FloatPlanes px, int w, int h, double scale) {
		ImagePlus imp = IjImages.createLike(template, name.replace(".tif", ""), w, h, scale, "Latent Diffusion for Fiji demo");
		IjImages.write(px, imp.getProcessor());
		ImageFiles.save(imp, dir.resolve(name));
		return imp;
	}

	private static FloatPlanes nearest(FloatPlanes low, int f) {
		FloatPlanes out = FloatPlanes.zeros(low.channels(), low.height() * f, low.width() * f);
		for (int c = 0; c < low.channels(); c++)
			for (int y = 0; y < out.height(); y++)
				for (int x = 0; x < out.width(); x++) out.set(c, y, x, low.get(c, y / f, x / f));
		return out;
	}

	/** ImageJ's bicubic resize of the low-resolution image, in float. */
	private static FloatPlanes bicubic(ImagePlus template, FloatPlanes low, int f) {
		ImageProcessor fp = new ij.process.FloatProcessor(low.width(), low.height(), low.data().clone());
		fp.setInterpolationMethod(ImageProcessor.BICUBIC);
		return IjImages.read(fp.resize(low.width() * f, low.height() * f, true));
	}

	/** The image with the mask's outline burnt in at the bright end, for the figure. */
	private static FloatPlanes withMask(FloatPlanes px, boolean[] mask, ValueMap map) {
		FloatPlanes out = px.copy();
		int w = px.width(), h = px.height();
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				if (!mask[y * w + x]) continue;
				boolean edge = x == 0 || y == 0 || x == w - 1 || y == h - 1 || !mask[y * w + x - 1] || !mask[y * w + x + 1]
					|| !mask[(y - 1) * w + x] || !mask[(y + 1) * w + x];
				out.set(0, y, x, (float) (edge ? map.hi() : map.lo()));
			}
		return out;
	}
}
