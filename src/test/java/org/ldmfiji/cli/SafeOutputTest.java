package org.ldmfiji.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ByteProcessor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldmfiji.task.TestImages;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Issue 16, outputs: nothing of the user's is lost or overwritten, and a run that cannot write its results stops
 * before the model is loaded. "Before the model is loaded" is shown by {@code --model no-such-model}, which fails
 * ("model 'no-such-model' not found") as soon as a run gets that far, or by the absence of the "model ... on" line.
 */
class SafeOutputTest {

	private static final String NO_MODEL = "no-such-model";

	private final ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();

	private int ldm(Object... args) {
		out.reset();
		err.reset();
		String[] a = Arrays.stream(args).map(String::valueOf).toArray(String[]::new);
		return Main.run(a, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
			StandardCharsets.UTF_8));
	}

	private String err() {
		return err.toString(StandardCharsets.UTF_8);
	}

	/** Test inputs are written with ImageJ's own saver, independent of the code under test. */
	private static Path save(ImagePlus imp, Path file) {
		assertTrue(file.toString().endsWith(".png") ? new FileSaver(imp).saveAsPng(file.toString())
			: imp.getStackSize() > 1 ? new FileSaver(imp).saveAsTiffStack(file.toString())
				: new FileSaver(imp).saveAsTiff(file.toString()));
		return file;
	}

	private static Path mask(Path dir) {
		ByteProcessor m = new ByteProcessor(80, 72);
		m.setValue(255);
		m.fillRect(30, 28, 12, 9);
		return save(new ImagePlus("mask", m), dir.resolve("mask.png"));
	}

	private static List<Path> files(Path dir) throws IOException {
		try (Stream<Path> s = Files.list(dir)) {
			return s.sorted().collect(Collectors.toList());
		}
	}

	private void assertRefusedBeforeTheModel(String expected) {
		assertTrue(err().contains(expected), "expected '" + expected + "' in: " + err());
		assertFalse(err().contains("not found"), "refused before the model was looked up: " + err());
		assertFalse(out.toString(StandardCharsets.UTF_8).contains(" on "), "no model was loaded: " + out);
		assertEquals(1, err().trim().split("\n").length, "one line: " + err());
	}

	@Test
	void aWriteThatFailsMidwayKeepsThePreviousFileAndLeavesNoTemporaryFile(@TempDir Path dir) throws IOException {
		Path target = dir.resolve("out.tif");
		byte[] previous = "the previous result".getBytes(StandardCharsets.UTF_8);
		Files.write(target, previous);
		IOException e = assertThrows(IOException.class, () -> AtomicFile.write(target, stream -> {
			stream.write(new byte[300_000]); // past the buffer: the bytes reach the temporary file
			throw new IOException("No space left on device");
		}));
		assertEquals("No space left on device", e.getMessage());
		assertArrayEquals(previous, Files.readAllBytes(target), "the previous file is untouched");
		assertEquals(List.of(target), files(dir), "no temporary file left behind");
	}

	@Test
	void aFullDiskFailsWithTheSystemsReasonAndKeepsThePreviousFile(@TempDir Path dir) throws Exception {
		try (Tmpfs disk = Tmpfs.mount(dir.resolve("small"), "size=256k")) {
			Path target = disk.dir.resolve("out.tif");
			save(TestImages.image("old", 8, 64, 64, 1), target);
			byte[] previous = Files.readAllBytes(target);
			ImagePlus large = TestImages.image("new", 16, 512, 512, 2); // 512 KB of pixels on a 256 KB disk
			IllegalStateException e = assertThrows(IllegalStateException.class, () -> ImageFiles.save(large, target));
			assertEquals("cannot write " + target + ": No space left on device (free space on " + disk.dir
				+ ", or choose another --output)", e.getMessage());
			assertArrayEquals(previous, Files.readAllBytes(target), "the previous file is untouched");
			assertEquals(List.of(target), files(disk.dir), "no temporary file left behind");
		}
	}

	@Test
	void anOutputThatIsAnInputIsRefusedBeforeTheModelIsLoaded(@TempDir Path dir) throws IOException {
		Path in = save(TestImages.image("cells", 16, 80, 72, 1), dir.resolve("cells.tif")), mask = mask(dir);
		byte[] before = Files.readAllBytes(in);
		assertEquals(1, ldm("inpaint", "--input", in, "--mask", mask, "--output", in, "--model", NO_MODEL));
		assertRefusedBeforeTheModel("--output " + in + " is the same file as --input " + in + ": choose another --output");
		assertEquals(1, ldm("inpaint", "--input", in, "--mask", mask, "--output", mask, "--model", NO_MODEL));
		assertRefusedBeforeTheModel("--output " + mask + " is the same file as --mask " + mask);
		assertEquals(1, ldm("superres", "--input", in, "--output", in, "--model", NO_MODEL));
		assertRefusedBeforeTheModel("--output " + in + " is the same file as --input " + in);
		Path symlink = Files.createSymbolicLink(dir.resolve("link.tif"), in), hardLink = Files.createLink(dir.resolve(
			"hard.tif"), in);
		for (Path other : List.of(symlink, hardLink)) {
			assertEquals(1, ldm("inpaint", "--input", in, "--mask", mask, "--output", other, "--model", NO_MODEL));
			assertRefusedBeforeTheModel("--output " + other + " is the same file as --input " + in);
		}
		assertArrayEquals(before, Files.readAllBytes(in), "the input is untouched");
	}

	@Test
	void theStdFileOfSamplesMayNotReplaceAnInput(@TempDir Path dir) throws IOException {
		Path in = save(TestImages.image("cells", 8, 80, 72, 1), dir.resolve("out-std.tif")), mask = mask(dir);
		byte[] before = Files.readAllBytes(in);
		Path output = dir.resolve("out.tif");
		assertEquals(1, ldm("inpaint", "--input", in, "--mask", mask, "--output", output, "--samples", "2", "--model",
			NO_MODEL));
		assertRefusedBeforeTheModel("the -std file of --samples " + in + " is the same file as --input " + in);
		assertEquals(1, ldm("superres", "--input", in, "--output", dir.resolve("out.png"), "--samples", "3", "--model",
			NO_MODEL));
		assertRefusedBeforeTheModel("the -std file of --samples " + in + " is the same file as --input " + in);
		assertArrayEquals(before, Files.readAllBytes(in));
		assertFalse(Files.exists(output));
	}

	@Test
	void aMissingFolderOrAFileInThePathIsRefusedBeforeTheModelIsLoaded(@TempDir Path dir) {
		Path in = save(TestImages.image("cells", 8, 80, 72, 1), dir.resolve("cells.tif")), mask = mask(dir);
		Path missing = dir.resolve("missing").resolve("out.tif");
		assertEquals(1, ldm("inpaint", "--input", in, "--mask", mask, "--output", missing, "--model", NO_MODEL));
		assertRefusedBeforeTheModel("cannot write " + missing + ": no folder " + missing.getParent()
			+ " (create it, or choose another --output)");
		Path underAFile = in.resolve("out.tif"); // its parent is a regular file
		assertEquals(1, ldm("superres", "--input", in, "--output", underAFile, "--model", NO_MODEL));
		assertRefusedBeforeTheModel("cannot write " + underAFile + ": " + in + " is a file, not a folder");
		assertEquals(1, ldm("superres", "--input", in, "--output", dir, "--model", NO_MODEL));
		assertRefusedBeforeTheModel("cannot write " + dir + ": it is a folder (give --output a file name)");
		assertEquals(1, ldm("sample", "--width", "64", "--height", "64", "--output", missing, "--model", NO_MODEL));
		assertRefusedBeforeTheModel("no folder " + missing.getParent());
		assertEquals(1, ldm("demo", "--output", in, "--steps", "1"));
		assertRefusedBeforeTheModel("cannot write " + in + ": ");
	}

	@Test
	void aReadOnlyPlaceIsRefusedBeforeTheModelIsLoaded(@TempDir Path dir) throws Exception {
		Path in = save(TestImages.image("cells", 8, 80, 72, 1), dir.resolve("cells.tif")), mask = mask(dir);
		// a read-only tmpfs: root, as CI runs, writes through any chmod
		try (Tmpfs readOnly = Tmpfs.mount(dir.resolve("ro"), "ro,size=64k")) {
			Path target = readOnly.dir.resolve("out.tif");
			assertEquals(1, ldm("inpaint", "--input", in, "--mask", mask, "--output", target, "--model", NO_MODEL));
			assertRefusedBeforeTheModel("cannot write " + target + ": Read-only file system (choose a writable folder for "
				+ "--output)");
		}
	}

	@Test
	void tooLittleFreeSpaceIsRefusedBeforeTheModelIsLoaded(@TempDir Path dir) throws Exception {
		Path in = save(TestImages.image("cells", 16, 80, 72, 1), dir.resolve("cells.tif"));
		try (Tmpfs disk = Tmpfs.mount(dir.resolve("small"), "size=256k")) {
			Path target = disk.dir.resolve("x4.tif");
			assertEquals(1, ldm("superres", "--input", in, "--output", target, "--steps", "1")); // the demo model, found
			assertRefusedBeforeTheModel("cannot write " + target + ": about ");
			assertTrue(err().contains("free on " + disk.dir + " (free space there, or choose another --output)"), err());
			assertEquals(List.of(), files(disk.dir));
		}
	}

	@Test
	void aMissingReferenceIsFoundBeforeTheRun(@TempDir Path dir) {
		Path in = save(TestImages.image("cells", 8, 20, 18, 1), dir.resolve("cells.tif"));
		Path reference = dir.resolve("hr.tif");
		assertEquals(1, ldm("superres", "--input", in, "--output", dir.resolve("x4.tif"), "--reference", reference,
			"--model", NO_MODEL));
		assertRefusedBeforeTheModel("--reference " + reference + " does not exist (check the path)");
	}

	@Test
	void truncatedImagesAreRefusedWithAMessage(@TempDir Path dir) throws IOException {
		Path mask = mask(dir), output = dir.resolve("out.tif");
		Path whole = save(TestImages.image("cells", 16, 80, 72, 1), dir.resolve("cells.tif"));
		Path cut = truncate(whole, dir.resolve("cut.tif"), 0.6);
		assertEquals(1, ldm("inpaint", "--input", cut, "--mask", mask, "--output", output, "--model", NO_MODEL));
		assertRefusedBeforeTheModel("cannot read " + cut + ": the file is cut short (" + Files.size(cut)
			+ " bytes, its image data reaches byte ");

		ij.ImageStack planes = new ij.ImageStack(40, 30);
		for (int p = 0; p < 3; p++) planes.addSlice(TestImages.image("p", 32, 40, 30, p).getProcessor());
		Path stackFile = save(new ImagePlus("stack", planes), dir.resolve("stack.tif"));
		Path cutStack = truncate(stackFile, dir.resolve("cut-stack.tif"), 0.9); // only the last plane is short
		assertEquals(1, ldm("superres", "--input", cutStack, "--output", output, "--model", NO_MODEL));
		assertRefusedBeforeTheModel("cannot read " + cutStack + ": the file is cut short");

		Path cutMask = truncate(mask, dir.resolve("cut-mask.png"), 0.5);
		assertEquals(1, ldm("inpaint", "--input", whole, "--mask", cutMask, "--output", output, "--model", NO_MODEL));
		assertRefusedBeforeTheModel("cannot read " + cutMask + ": ");
		assertTrue(err().contains("is the file complete?"), err());

		Path empty = Files.write(dir.resolve("empty.tif"), new byte[] {'I', 'I', 42, 0});
		assertEquals(1, ldm("superres", "--input", empty, "--output", output, "--model", NO_MODEL));
		assertRefusedBeforeTheModel("cannot read " + empty + ": ");
		assertFalse(Files.exists(output));

		Path nothing = Files.write(dir.resolve("nothing.tif"), new byte[0]);
		assertEquals(1, ldm("superres", "--input", nothing, "--output", output, "--model", NO_MODEL));
		assertRefusedBeforeTheModel("cannot read " + nothing + ": the file is empty");
		Path big = Files.write(dir.resolve("big.tif"), new byte[] {'I', 'I', 43, 0, 8, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0});
		assertEquals(1, ldm("superres", "--input", big, "--output", output, "--model", NO_MODEL));
		assertRefusedBeforeTheModel("cannot read " + big + ": a BigTIFF, which ImageJ's reader does not read");
		assertEquals("", out.toString(StandardCharsets.UTF_8), "nothing of ImageJ's on stdout");
		// a whole TIFF of 64-bit floats, which ImageJ's decoder does not support
		ByteBuffer two = ByteBuffer.allocate(16).putDouble(1.5).putDouble(-2);
		Path doubles = oneRowTiff(dir.resolve("doubles.tif"), 2, 64, 3, two.array());
		assertEquals(1, ldm("superres", "--input", doubles, "--output", output, "--model", NO_MODEL));
		assertTrue(err().contains("save it as an 8-, 16- or 32-bit (float) or RGB TIFF first"), err());
		assertFalse(err().contains("is the file complete"), err());
		// and of half floats, which it "cannot open"
		Path halves = oneRowTiff(dir.resolve("halves.tif"), 2, 16, 3, new byte[] {0x3c, 0, (byte) 0xc0, 0});
		assertEquals(1, ldm("superres", "--input", halves, "--output", output, "--model", NO_MODEL));
		assertTrue(err().contains("16-bit float") && err().contains("save it as an 8-, 16- or 32-bit (float) or RGB TIFF "
			+ "first"), err());
		assertFalse(err().contains("is the file complete"), err());
		// a whole TIFF of signed 8-bit values, which ImageJ reads as unsigned
		Path signed = oneRowTiff(dir.resolve("signed.tif"), 4, 8, 2, new byte[] {-1, 0, 1, 127});
		assertEquals(1, ldm("superres", "--input", signed, "--output", output, "--model", NO_MODEL));
		assertRefusedBeforeTheModel("cannot read " + signed + ": it holds signed 8-bit values, which ImageJ's reader "
			+ "takes as unsigned (-1 as 255); convert it to 16- or 32-bit first");

		assertEquals(3, ImageFiles.open(stackFile).getStackSize(), "a whole stack still opens");
		assertEquals(16, ImageFiles.open(whole).getBitDepth(), "a whole image still opens");
		assertEquals(8, ImageFiles.open(mask).getBitDepth(), "a whole PNG still opens");
	}

	@Test
	void theWrittenTiffIsWhatImageJsSaverWritesAndThePngDecodesToTheSamePixels(@TempDir Path dir) throws IOException {
		ImagePlus single = TestImages.image("single", 16, 30, 20, 4);
		single.setProperty("Info", "provenance: seed=4");
		single.getCalibration().pixelWidth = 0.25;
		single.setOverlay(new ij.gui.Overlay(new ij.gui.Roi(2, 3, 5, 6)));
		ij.ImageStack planes = new ij.ImageStack(30, 20);
		for (int p = 0; p < 6; p++) planes.addSlice("plane " + p, TestImages.image("p", 16, 30, 20, p).getProcessor());
		ImagePlus hyper = new ImagePlus("hyper", planes);
		hyper.setDimensions(2, 1, 3);
		ImagePlus composite = new ij.CompositeImage(hyper, ij.IJ.COMPOSITE);
		for (ImagePlus imp : List.of(single, TestImages.image("rgb", 24, 30, 20, 5), hyper, composite)) {
			Path ours = dir.resolve("ours.tif");
			ImageFiles.save(imp, ours);
			Path theirs = save(imp, dir.resolve("theirs.tif"));
			assertArrayEquals(Files.readAllBytes(theirs), Files.readAllBytes(ours), "TIFF of " + imp.getTitle());
		}
		ImagePlus rgb = TestImages.image("rgb", 24, 30, 20, 6);
		ImageFiles.save(rgb, dir.resolve("ours.png"));
		int[] written = TestImages.bits(rgb)[0], read = TestImages.bits(ImageFiles.open(dir.resolve("ours.png")))[0];
		for (int i = 0; i < written.length; i++) assertEquals(written[i] & 0xffffff, read[i] & 0xffffff, "RGB of pixel " + i);
	}

	@Test
	void aDeviceOrPipeAtTheOutputIsRefusedAndNotReplaced(@TempDir Path dir) throws Exception {
		Path in = save(TestImages.image("cells", 8, 40, 36, 1), dir.resolve("cells.tif")), fifo = dir.resolve("pipe.tif");
		assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo");
		assertEquals(1, ldm("superres", "--input", in, "--output", fifo, "--model", NO_MODEL));
		assertRefusedBeforeTheModel("cannot write " + fifo + ": it is not a regular file (a device, pipe or socket");
		IOException e = assertThrows(IOException.class, () -> AtomicFile.write(fifo, stream -> stream.write(1)));
		assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
		assertTrue(Files.exists(fifo) && !Files.isRegularFile(fifo), "still the pipe, not replaced by a file");
		assertEquals(List.of(in, fifo), files(dir), "no temporary file left behind");
	}

	@Test
	void anOutputInsideTheModelsFolderIsRefusedBeforeTheModelIsLoaded(@TempDir Path dir) throws IOException {
		Path in = save(TestImages.image("cells", 8, 40, 36, 1), dir.resolve("cells.tif")), bundle = dir.resolve("m2");
		Files.createDirectories(bundle);
		Files.copy(org.ldmfiji.model.TestBundles.demo().resolve("model.json"), bundle.resolve("model.json"));
		byte[] manifest = Files.readAllBytes(bundle.resolve("model.json"));
		for (String name : List.of("superres.pt", "model.json", "extra.tif")) {
			Path target = bundle.resolve(name);
			assertEquals(1, ldm("superres", "--input", in, "--output", target, "--model", bundle));
			assertTrue(err().contains("--output " + target + " is inside the model's folder " + bundle
				+ ": choose another --output"), err());
			assertEquals(1, err().trim().split("\n").length, err());
		}
		assertArrayEquals(manifest, Files.readAllBytes(bundle.resolve("model.json")));
		assertEquals(List.of(bundle.resolve("model.json")), files(bundle));
	}

	@Test
	void aPngThatCannotHoldTheResultIsRefusedBeforeTheModelIsLoaded(@TempDir Path dir) {
		ij.ImageStack planes = new ij.ImageStack(40, 36);
		for (int p = 0; p < 3; p++) planes.addSlice(TestImages.image("p", 8, 40, 36, p).getProcessor());
		Path stack = save(new ImagePlus("stack", planes), dir.resolve("stack.tif")), mask = dir.resolve("mask.png");
		ByteProcessor m = new ByteProcessor(40, 36);
		m.setValue(255);
		m.fillRect(10, 10, 8, 8);
		save(new ImagePlus("mask", m), mask);
		Path png = dir.resolve("out.png");
		assertEquals(1, ldm("superres", "--input", stack, "--output", png, "--model", NO_MODEL));
		assertRefusedBeforeTheModel("PNG holds one plane, the result has 3 (slices, channels, frames or samples): write "
			+ png + " as .tif");
		assertEquals(1, ldm("inpaint", "--input", stack, "--mask", mask, "--output", png, "--model", NO_MODEL));
		assertRefusedBeforeTheModel("PNG holds one plane, the result has 3");
		Path single = save(TestImages.image("one", 8, 40, 36, 1), dir.resolve("one.tif"));
		assertEquals(1, ldm("inpaint", "--input", single, "--mask", mask, "--output", png, "--samples", 2, "--model",
			NO_MODEL));
		assertRefusedBeforeTheModel("PNG holds one plane, the result has 2");
		Path deep = save(TestImages.image("deep", 16, 40, 36, 1), dir.resolve("deep.tif"));
		assertEquals(1, ldm("superres", "--input", deep, "--output", png, "--model", NO_MODEL));
		assertRefusedBeforeTheModel("PNG cannot hold a 16-bit image without losing its values: write " + png + " as .tif");
		assertFalse(Files.exists(png));
	}

	@Test
	void aTileTheModelCannotTakeIsRefusedBeforeTheModelIsLoaded(@TempDir Path dir) {
		Path in = save(TestImages.image("cells", 8, 40, 36, 1), dir.resolve("cells.tif")), out = dir.resolve("x4.tif");
		assertEquals(1, ldm("superres", "--input", in, "--output", out, "--tile", 7)); // the demo model, found
		assertRefusedBeforeTheModel("tile size 7 must be a multiple of ");
		assertFalse(Files.exists(out));
	}

	@Test
	void aDiskThatFillsOnTheStdFileKeepsBothPreviousFiles(@TempDir Path dir) throws Exception {
		try (Tmpfs disk = Tmpfs.mount(dir.resolve("small"), "size=256k")) {
			Path main = disk.dir.resolve("out.tif"), std = disk.dir.resolve("out-std.tif");
			save(TestImages.image("old", 8, 64, 64, 1), main);
			save(TestImages.image("old std", 8, 64, 64, 2), std);
			byte[] mainBefore = Files.readAllBytes(main), stdBefore = Files.readAllBytes(std);
			ImagePlus fits = TestImages.image("new", 8, 200, 200, 3); // 40 KB
			ImagePlus tooLarge = TestImages.image("new std", 32, 256, 256, 4); // 256 KB
			IllegalStateException e = assertThrows(IllegalStateException.class, () -> ImageFiles.saveAll(
				new ImagePlus[] {fits, tooLarge}, new Path[] {main, std}));
			assertTrue(e.getMessage().startsWith("cannot write " + std + ": No space left on device"), e.getMessage());
			assertArrayEquals(mainBefore, Files.readAllBytes(main), "the main file is not replaced without its std file");
			assertArrayEquals(stdBefore, Files.readAllBytes(std));
			assertEquals(List.of(std, main), files(disk.dir), "no temporary file left behind");
		}
	}

	@Test
	void anImageWithTransparentPixelsIsRefusedAndAnOpaqueAlphaIsRead(@TempDir Path dir) throws IOException {
		java.awt.image.BufferedImage argb = new java.awt.image.BufferedImage(20, 10,
			java.awt.image.BufferedImage.TYPE_INT_ARGB);
		for (int y = 0; y < 10; y++)
			for (int x = 0; x < 20; x++) argb.setRGB(x, y, 0xff000000 | (x * 10) << 16 | (y * 20) << 8 | 7);
		Path opaque = dir.resolve("opaque.png"), clear = dir.resolve("clear.png");
		javax.imageio.ImageIO.write(argb, "png", opaque.toFile());
		assertEquals(200, ImageFiles.open(opaque).getWidth() * ImageFiles.open(opaque).getHeight());
		argb.setRGB(3, 4, 0x7f102030);
		javax.imageio.ImageIO.write(argb, "png", clear.toFile());
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageFiles.open(clear));
		assertEquals(clear + " has transparent pixels (an alpha channel), which ImageJ would blend onto white, changing "
			+ "their values: save it without transparency (e.g. Image > Type > RGB Color, as TIFF) first", e.getMessage());
	}

	/**
	 * A whole big-endian TIFF of one row of {@code width} samples of {@code bits} bits with the given SampleFormat (TIFF
	 * 6.0 tag 339: 1 unsigned, 2 signed, 3 float), written byte by byte: formats ImageJ's own saver cannot make.
	 */
	private static Path oneRowTiff(Path path, int width, int bits, int sampleFormat, byte[] data) throws IOException {
		int[][] tags = {{256, 3, width}, {257, 3, 1}, {258, 3, bits}, {259, 3, 1}, {262, 3, 1},
			{273, 4, 8 + 2 + 8 * 12 + 4}, {279, 4, data.length}, {339, 3, sampleFormat}};
		try (DataOutputStream d = new DataOutputStream(Files.newOutputStream(path))) {
			d.write(new byte[] {'M', 'M', 0, 42});
			d.writeInt(8);
			d.writeShort(tags.length);
			for (int[] t : tags) {
				d.writeShort(t[0]);
				d.writeShort(t[1]);
				d.writeInt(1);
				if (t[1] == 3) d.writeInt(t[2] << 16); // a SHORT value, left-justified in the 4 bytes
				else d.writeInt(t[2]);
			}
			d.writeInt(0);
			d.write(data);
		}
		return path;
	}

	private static Path truncate(Path from, Path to, double keep) throws IOException {
		byte[] all = Files.readAllBytes(from);
		return Files.write(to, Arrays.copyOf(all, (int) (all.length * keep)));
	}
}
