package org.ldmfiji.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.LibUtils;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A convolution of 17 input channels (the first of the demo inpainting U-Net before its input was padded) in a batch
 * of two goes to oneDNN, which libtorch 2.7.1 gets wrong ({@link OneDnnPadding}); a batch of one at this size takes
 * libtorch's own convolution, the reference. The fixture (src/test/resources/onednn, models/make_padding_fixture.py)
 * is that convolution alone. Before the guard, the batch of two differed from it by up to 0.22.
 */
class OneDnnPaddingTest {

	@Test
	void convolutionsWhoseInputOneDnnPadsAreFoundByTheirWeights() {
		Map<String, Shape> shapes = new LinkedHashMap<>();
		shapes.put("time_embed.0.weight", new Shape(128, 32));
		shapes.put("input_blocks.0.0.weight", new Shape(32, 8, 3, 3));
		shapes.put("input_blocks.1.0.skip.weight", new Shape(64, 32, 1, 1));
		assertNull(OneDnnPadding.paddedConvolution(shapes, 8), "1-8 and whole blocks are not padded");
		shapes.put("input_blocks.2.0.in.weight", new Shape(320, 9, 3, 3));
		assertNull(OneDnnPadding.paddedConvolution(shapes, 16), "9 channels are one AVX-512 block");
		assertEquals("input_blocks.2.0.in.weight (9 input channels)", OneDnnPadding.paddedConvolution(shapes, 8));
		shapes.remove("input_blocks.2.0.in.weight");
		shapes.put("output_blocks.0.0.in.weight", new Shape(64, 17, 3, 3));
		assertEquals("output_blocks.0.0.in.weight (17 input channels)", OneDnnPadding.paddedConvolution(shapes, 16));
	}

	@Test
	void theBlockFollowsTheCpuAndTheLimitOnOneDnn(@TempDir Path tmp) throws Exception {
		Path avx512 = Files.writeString(tmp.resolve("a"), "processor\t: 0\nflags\t\t: fpu sse4_1 avx2 avx512f avx512bw\n");
		Path avx2 = Files.writeString(tmp.resolve("b"), "processor\t: 0\nflags\t\t: fpu sse4_1 avx2 fma\n");
		assertEquals(16, OneDnnPadding.block(avx512, Map.of()));
		assertEquals(8, OneDnnPadding.block(avx2, Map.of()));
		assertEquals(8, OneDnnPadding.block(avx512, Map.of("DNNL_MAX_CPU_ISA", "AVX2")));
		assertEquals(16, OneDnnPadding.block(avx512, Map.of("ONEDNN_MAX_CPU_ISA", "avx512_core")));
		assertEquals(8, OneDnnPadding.block(tmp.resolve("missing"), Map.of()), "an unknown CPU gets the smaller block");
	}

	@Test
	void theDemoBundleHasNoSuchConvolution() throws Exception {
		try (java.util.stream.Stream<Path> files = Files.list(TestBundles.demo())) {
			for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".pt")).sorted()::iterator)
				try (TorchScriptPart part = new TorchScriptPart(f, Device.cpu())) {
					assertNull(OneDnnPadding.paddedConvolution(part.parameterShapes(), OneDnnPadding.BLOCK / 2), f + " has a "
						+ "convolution that oneDNN computes wrongly on AVX2 or AVX-512: pad it with models/pad_input_channels.py");
				}
		}
	}

	@Test
	void aPartWithSuchAConvolutionComputesItExactlyInABatch() throws Exception {
		TorchRuntime.engine();
		String libtorch = LibUtils.getLibtorchPath();
		Path fixture = Paths.get(OneDnnPaddingTest.class.getResource("/onednn/conv17.pt").toURI());
		try (TorchScriptPart conv = new TorchScriptPart(fixture, Device.cpu());
			NDManager m = NDManager.newBaseManager(Device.cpu())) {
			assertFalse(OneDnnPadding.enabled(libtorch), "loading a part with such a convolution turns oneDNN off");
			assertTrue(TorchRuntime.cpuConvolutions().contains("conv17.pt"), TorchRuntime.cpuConvolutions());
			m.getEngine().setRandomSeed(5);
			NDArray x = m.randomNormal(new Shape(2, 17, 16, 16));
			NDArray both = conv.forward(new NDList(x)).head();
			for (int k = 0; k < 2; k++) {
				NDArray one = conv.forward(new NDList(x.get(k + ":" + (k + 1)))).head();
				float diff = one.sub(both.get(k + ":" + (k + 1))).abs().max().getFloat();
				assertTrue(diff < 1e-4, "item " + k + " of a batch of two differs from its own forward by " + diff);
			}
		}
		finally {
			OneDnnPadding.setEnabled(libtorch, true); // the other tests' parts need no guard
		}
	}
}
