package org.ldmfiji.cli;

import ij.ImagePlus;
import ij.process.ImageProcessor;

import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.IjImages;
import org.ldmfiji.image.Normalization;
import org.ldmfiji.image.Quality;
import org.ldmfiji.image.ValueMap;
import org.ldmfiji.imagej.InpaintImage;
import org.ldmfiji.imagej.SampleImage;
import org.ldmfiji.imagej.SuperResolveImage;
import org.ldmfiji.model.BundleLocator;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.task.Consistency;
import org.ldmfiji.task.LargeImageSampling;
import org.ldmfiji.task.Masks;
import org.ldmfiji.task.OptionTable;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code ./ldm demo}: runs the bundled demo model through the same jobs as {@code ./ldm inpaint}, {@code superres}
 * and {@code sample}, with the option table's defaults, on the bundle's sample images (a held-out synthetic cell
 * image, and a real photograph of a kind the model never saw, when the bundle has it) or on {@code --input}:
 * inpainting of a box and a scratch, x4 super-resolution of the image area-downsampled by 4 (against bicubic), and
 * label-conditioned samples. Writes TIFFs and a figure {@code demo.png} (a row per image, then the samples) into the
 * output folder.
 */
final class DemoCommand {

	static final String SAMPLE = "samples/cells-16bit.tif";
	/** A real photograph (CC0; see models/README.md), shown in its own row when the bundle has it. */
	static final String PHOTO = "samples/photo-8bit.tif";

	private final Options options;

	DemoCommand(List<String> args) {
		options = new Options("demo", args, Set.of("model", "steps", "sampler", "seed", "eta", "device", "output", "input"),
			Set.of());
	}

	int run(PrintStream out) {
		RunSettings run = new RunSettings(options, 0);
		Path dir = Paths.get(options.get("output", "demo-output"));
		Path folder = BundleLocator.standard().find(run.model); // where the bundle is; it loads after the checks
		List<Path> inputs = new ArrayList<>();
		if (options.get("input", null) != null) inputs.add(Paths.get(options.get("input", null)));
		else {
			inputs.add(folder.resolve(SAMPLE));
			if (Files.isRegularFile(folder.resolve(PHOTO))) inputs.add(folder.resolve(PHOTO));
		}
		OutputPlan plan = new OutputPlan();
		List<ImagePlus> sources = new ArrayList<>();
		for (Path input : inputs) {
			plan.input("--input", input);
			sources.add(ImageFiles.open(input));
		}
		try {
			Files.createDirectories(dir);
		}
		catch (IOException e) {
			throw IoReason.cannotWrite(dir, e);
		}
		for (int k = 0; k < inputs.size(); k++) {
			long plane = planeBytes(sources.get(k));
			for (String name : List.of("inpainted.tif", "superres-input.tif", "superres-x4.tif"))
				plan.output("--output", dir.resolve(prefix(inputs, k) + name), () -> plane);
		}
		ImagePlus first = sources.get(0);
		plan.output("--output", dir.resolve("demo.png"), () -> 3 * 4 * 4 * planeBytes(first) * (sources.size() + 1));
		for (String label : sampleLabels(Manifest.read(folder)))
			plan.output("--output", dir.resolve(sampleFile(label)), () -> planeBytes(first));
		plan.check();
		try (ModelBundle bundle = run.openBundle()) {
			out.println("model " + bundle.manifest().name + " on " + bundle.device() + ", " + run.sampling);
			Figure figure = new Figure();
			for (int k = 0; k < sources.size(); k++) {
				out.println("input " + inputs.get(k));
				figure.row();
				demoImage(bundle, run, sources.get(k), dir, prefix(inputs, k), rowName(inputs.get(k)), figure, out);
			}
			List<String> labels = sampleLabels(bundle.manifest());
			if (!labels.isEmpty()) figure.row();
			for (String label : labels) {
				SampleImage.Options o = new SampleImage.Options().type(first.getBitDepth() == 32 ? "32-bit"
					: first.getBitDepth() == 16 ? "16-bit" : "8-bit");
				o.sampling = run.sampling;
				o.width = first.getWidth();
				o.height = first.getHeight();
				o.label = label;
				ImagePlus s = SampleImage.run(bundle, o, new CliProgress(out, "sample " + (label.isEmpty() ? "" : label)));
				ImageFiles.save(s, dir.resolve(sampleFile(label)));
				FloatPlanes px = IjImages.read(s.getProcessor());
				figure.add("sample: " + (label.isEmpty() ? "unconditional" : label), px, display(s.getBitDepth(), px));
			}
			Path png = dir.resolve("demo.png");
			figure.save(png);
			out.println("wrote " + dir.toAbsolutePath() + " (figure: " + png + ")");
			return 0;
		}
	}

	/** One row of the figure: inpainting of {@link #demoMask} and x4 super-resolution of the area-downsampled image. */
	private static void demoImage(ModelBundle bundle, RunSettings run, ImagePlus source, Path dir, String prefix,
		String name, Figure figure, PrintStream out)
	{
		FloatPlanes px = IjImages.read(source.getProcessor());
		ValueMap display = display(source.getBitDepth(), px);
		int w = source.getWidth(), h = source.getHeight();

		// 1. inpainting: a box and a scratch, as ./ldm inpaint does it
		boolean[] mask = demoMask(w, h);
		InpaintImage.Options io = new InpaintImage.Options();
		io.sampling = run.sampling;
		ImagePlus inpainted = InpaintImage.run(bundle, source, mask, io, new CliProgress(out, "inpaint")).image;
		ImageFiles.save(inpainted, dir.resolve(prefix + "inpainted.tif"));
		boolean[] filled = Masks.grow(mask, w, h, io.grow);
		FloatPlanes written = IjImages.read(ImageFiles.open(dir.resolve(prefix + "inpainted.tif")).getProcessor());
		int changedOutside = 0;
		for (int i = 0; i < filled.length; i++) if (!filled[i] && written.data()[i] != px.data()[i]) changedOutside++;
		out.println("  inpainting: " + Masks.count(filled) + " pixels filled (mask grown by " + io.grow
			+ "), pixels changed outside: " + changedOutside);
		figure.add(name + ": input + mask", withMask(px, mask, display), display);
		figure.add("inpainted", written, display);

		// 2. super-resolution x4 of the image area-downsampled by 4, as ./ldm superres does it
		int f = bundle.manifest().autoencoder.factor;
		FloatPlanes truth = px.crop(h / f * f, w / f * f);
		ImagePlus low = IjImages.createLike(source, "superres-input", w / f, h / f, 1.0 / f, "Latent Diffusion for Fiji demo");
		IjImages.write(Consistency.areaDownsample(truth, f), low.getProcessor()); // rounded to the source's type
		ImageFiles.save(low, dir.resolve(prefix + "superres-input.tif"));
		SuperResolveImage.Options so = new SuperResolveImage.Options();
		so.sampling = run.sampling(OptionTable.SR_STEPS);
		ImagePlus high = SuperResolveImage.run(bundle, low, so, new CliProgress(out, "superres")).image;
		ImageFiles.save(high, dir.resolve(prefix + "superres-x4.tif"));
		FloatPlanes lowPx = IjImages.read(low.getProcessor()), highPx = IjImages.read(high.getProcessor());
		FloatPlanes bicubic = bicubic(lowPx, f);
		double peak = display.hi() - display.lo();
		double psnrSr = Quality.psnr(highPx, truth, peak), psnrBicubic = Quality.psnr(bicubic, truth, peak);
		out.println(String.format(Locale.ROOT, "  super-resolution x%d (mean of %d samples): PSNR %.2f dB (bicubic %.2f dB,"
			+ " gain %+.2f dB)", f, so.samples, psnrSr, psnrBicubic, psnrSr - psnrBicubic));
		figure.add("low-res (x4 nearest)", nearest(lowPx, f), display);
		figure.add("bicubic x4", bicubic, display);
		figure.add("LDM x4", highPx, display);
		figure.add("ground truth", truth, display);
	}

	/** The labels the demo samples ("" for an unconditional denoiser); none without a sampling denoiser. */
	static List<String> sampleLabels(Manifest m) {
		if (!m.denoisers.containsKey(LargeImageSampling.TASK)) return List.of();
		var context = m.denoiser(LargeImageSampling.TASK).context;
		if (context == null) return List.of("");
		if (context.takesText()) return List.of();
		return context.labels.stream().filter(l -> !l.equals(context.nullLabel)).collect(Collectors.toList());
	}

	private static String sampleFile(String label) {
		return "sample-" + (label.isEmpty() ? "unconditional" : label) + ".tif";
	}

	/** The first image's files keep their plain names; the others' start with their file name. */
	private static String prefix(List<Path> inputs, int k) {
		return k == 0 ? "" : rowName(inputs.get(k)) + "-";
	}

	private static String rowName(Path input) {
		String name = input.getFileName().toString();
		int dot = name.lastIndexOf('.');
		return dot > 0 ? name.substring(0, dot) : name;
	}

	private static long planeBytes(ImagePlus imp) {
		return ImageFiles.bytes(imp.getWidth(), imp.getHeight(), 1, imp.getBitDepth() == 24 ? 3 : imp.getBitDepth() / 8);
	}

	/** How a row is shown: the image's own normalisation (as the model sees it) onto [0, 1]. */
	private static ValueMap display(int bitDepth, FloatPlanes px) {
		return Normalization.forBitDepth(bitDepth).fit(px).onto(0, 1);
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

	private static FloatPlanes nearest(FloatPlanes low, int f) {
		FloatPlanes out = FloatPlanes.zeros(low.channels(), low.height() * f, low.width() * f);
		for (int c = 0; c < low.channels(); c++)
			for (int y = 0; y < out.height(); y++)
				for (int x = 0; x < out.width(); x++) out.set(c, y, x, low.get(c, y / f, x / f));
		return out;
	}

	/** ImageJ's bicubic resize of the low-resolution image, in float. */
	private static FloatPlanes bicubic(FloatPlanes low, int f) {
		ImageProcessor fp = new ij.process.FloatProcessor(low.width(), low.height(), low.data().clone());
		fp.setInterpolationMethod(ImageProcessor.BICUBIC);
		return IjImages.read(fp.resize(low.width() * f, low.height() * f, true));
	}

	/** The image with the mask's outline burnt in at the bright end, for the figure. */
	private static FloatPlanes withMask(FloatPlanes px, boolean[] mask, ValueMap display) {
		FloatPlanes out = px.copy();
		int w = px.width(), h = px.height();
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				if (!mask[y * w + x]) continue;
				boolean edge = x == 0 || y == 0 || x == w - 1 || y == h - 1 || !mask[y * w + x - 1] || !mask[y * w + x + 1]
					|| !mask[(y - 1) * w + x] || !mask[(y + 1) * w + x];
				out.set(0, y, x, (float) (edge ? display.hi() : display.lo()));
			}
		return out;
	}
}
