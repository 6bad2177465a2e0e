package org.ldmfiji.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.gui.Roi;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ldmfiji.task.TestImages;
import org.scijava.Context;
import org.scijava.app.StatusService;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;
import org.scijava.menu.MenuService;

/**
 * The SciJava commands through CommandService in a bare SciJava context (no ImageJ legacy layer: the image is given
 * as the input value "imp", as imagej-legacy's ImagePlus preprocessor would inside Fiji).
 */
class CommandsTest {

	private static Context context;
	private static CommandService commands;

	@BeforeAll
	static void context() {
		context = new Context(CommandService.class, StatusService.class, MenuService.class);
		commands = context.service(CommandService.class);
	}

	@AfterAll
	static void dispose() {
		context.dispose();
	}

	private static CommandModule run(Class<? extends org.scijava.command.Command> type, Object... inputs) throws Exception {
		return commands.run(type, true, inputs).get();
	}

	@Test
	void commandsAreInTheLatentDiffusionMenuWithTheirLabels() {
		for (String label : new String[] {"LDM Inpaint...", "LDM Super-Resolution...", "LDM Large Image Sampling...",
			"LDM Engine Info"})
		{
			assertTrue(commands.getCommands().stream().anyMatch(c -> c.getMenuPath() != null && c.getMenuPath().size() == 3
				&& c.getMenuPath().getMenuString().equals("Plugins > Latent Diffusion > " + label)),
				"no command with menu path Plugins > Latent Diffusion > " + label);
		}
	}

	@Test
	void inpaintFillsTheSelectionOnly() throws Exception {
		ImagePlus imp = TestImages.image("cells", 16, 80, 72, 1);
		imp.setRoi(new Roi(30, 28, 12, 9));
		int[] before = TestImages.bits(imp)[0];
		CommandModule m = run(InpaintCommand.class, "imp", imp, "steps", 4, "seed", 1L, "sampler", "ddim", "grow", 2,
			"feather", 3, "context", 16, "samples", 1, "stack", false, "inplace", false, "mask", "", "model", "demo");
		assertFalse(m.isCanceled(), m.getCancelReason());
		ImagePlus out = (ImagePlus) m.getOutput("result");
		assertEquals("cells-inpainted", out.getTitle());
		assertArrayEquals(before, TestImages.bits(imp)[0], "source unchanged");
		TestImages.assertFilledInsideOnly(before, TestImages.bits(out)[0], TestImages.rect(80, 72, 30, 28, 12, 9), 80, 2);
		assertNull(m.getOutput("std"));
	}

	@Test
	void inpaintWithoutASelectionIsCancelledWithTheReason() throws Exception {
		ImagePlus imp = TestImages.image("cells", 8, 64, 64, 1);
		CommandModule m = run(InpaintCommand.class, "imp", imp, "steps", 2, "model", "demo", "mask", "");
		assertTrue(m.isCanceled());
		assertTrue(m.getCancelReason().contains("no selection"), m.getCancelReason());
		assertNull(m.getOutput("result"));
	}

	@Test
	void unknownModelIsCancelledWithTheReason() throws Exception {
		ImagePlus imp = TestImages.image("cells", 8, 16, 16, 1);
		CommandModule m = run(SuperResolutionCommand.class, "imp", imp, "steps", 2, "model", "no-such-model");
		assertTrue(m.isCanceled());
		assertTrue(m.getCancelReason().contains("not found"), m.getCancelReason());
	}

	@Test
	void superResolutionGivesFourTimesTheSizeInTheSourceType() throws Exception {
		ImagePlus imp = TestImages.image("cells", 16, 13, 10, 2);
		CommandModule m = run(SuperResolutionCommand.class, "imp", imp, "steps", 4, "seed", 1L, "sampler", "ddim",
			"samples", 1, "tile", 0, "consistency", true, "current", false, "model", "demo");
		assertFalse(m.isCanceled(), m.getCancelReason());
		ImagePlus out = (ImagePlus) m.getOutput("result");
		assertEquals("cells-x4", out.getTitle());
		assertEquals(52, out.getWidth());
		assertEquals(40, out.getHeight());
		assertEquals(16, out.getBitDepth());
	}

	@Test
	void largeImageSamplingMakesTheRequestedImage() throws Exception {
		CommandModule m = run(LargeImageSamplingCommand.class, "width", 40, "height", 24, "label", "phase", "guidance", 2.0,
			"steps", 2, "seed", 3L, "sampler", "ddim", "tile", 0, "overlap", 0, "type", "16-bit", "model", "demo");
		assertFalse(m.isCanceled(), m.getCancelReason());
		ImagePlus out = (ImagePlus) m.getOutput("result");
		assertNotNull(out);
		assertEquals(40, out.getWidth());
		assertEquals(24, out.getHeight());
		assertEquals(16, out.getBitDepth());
		assertTrue(((String) out.getProperty("Info")).contains("label: phase"));
	}

	@Test
	void engineInfoNamesEngineDeviceAndModelsAndCanForceTheCpu() throws Exception {
		try {
			String info = (String) run(EngineInfoCommand.class, "cpu", true).getOutput("info");
			assertTrue(info.contains("PyTorch 2.7.1") && info.contains("device:  cpu()") && info.contains("model:   demo"), info);
			assertTrue(info.contains("cache:") && info.contains("native:"), info);
			assertEquals(org.ldmfiji.model.TorchRuntime.DevicePreference.CPU, org.ldmfiji.model.TorchRuntime.preference());
		}
		finally {
			System.clearProperty(org.ldmfiji.model.TorchRuntime.DEVICE_PROPERTY);
		}
	}
}
