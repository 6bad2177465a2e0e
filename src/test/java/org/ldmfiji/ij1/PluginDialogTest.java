package org.ldmfiji.ij1;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Macro option parsing as ImageJ 1.x writes options: key=value, key=[with spaces], bare keys for ticked boxes. */
class PluginDialogTest {

	private static PluginDialog dialog() {
		return new PluginDialog("t").number("steps", "Steps", 20).string("mask", "Mask image", "")
			.choice("sampler", "Sampler", new String[] {"dpmpp2m", "ddim"}, "dpmpp2m").checkbox("stack", "Stack: all", false)
			.checkbox("consistency", "Consistency", true);
	}

	@Test
	void parsesValuesBracketsAndCheckboxes() {
		PluginDialog d = dialog();
		d.parse("steps=7 mask=[my mask.tif] sampler=DDIM stack");
		assertEquals(7, d.integer("steps"));
		assertEquals("my mask.tif", d.string("mask"));
		assertEquals("ddim", d.string("sampler"));
		assertTrue(d.flag("stack"));
		assertFalse(d.flag("consistency"), "ImageJ macros: an absent checkbox is off");
	}

	@Test
	void absentValuesKeepTheirDefaultsAndBadOnesAreNamed() {
		PluginDialog d = dialog();
		d.parse("consistency");
		assertEquals(20, d.integer("steps"));
		assertTrue(d.flag("consistency"));
		assertThrows(IllegalArgumentException.class, () -> dialog().parse("steps=many"));
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dialog().parse("sampler=euler"));
		assertTrue(e.getMessage().contains("dpmpp2m, ddim"), e.getMessage());
		assertThrows(IllegalArgumentException.class, () -> new PluginDialog("t").number("steps", "Number of steps", 1),
			"a label must start with its key, or the Recorder would write another key");
	}

	/** A recorded macro's prompts reach the task's settings; ImageJ's own reader finds each key (no key ends another). */
	@Test
	void promptsAreReadFromMacroOptions() {
		String recorded = "width=64 height=64 prompt=[a red brick wall, 8k] negative=[blurry] guidance=7.5";
		PluginDialog d = new PluginDialog("t").options(org.ldmfiji.task.OptionTable.SAMPLE);
		d.parse(recorded);
		org.ldmfiji.task.SamplingSettings s = Ij1Plugins.sampling(d);
		assertEquals("a red brick wall, 8k", s.prompt);
		assertEquals("blurry", s.negativePrompt);
		assertEquals(7.5, s.guidance);
		assertEquals("a red brick wall, 8k", ij.Macro.getValue(recorded, "prompt", ""));
		assertEquals("blurry", ij.Macro.getValue(recorded, "negative", ""));
	}

	@Test
	void pluginsConfigLinesParse() {
		assertArrayEquals(new String[] {"Plugins>Latent Diffusion", "LDM Inpaint...", "org.ldmfiji.ij1.InpaintPlugin"},
			HeadlessMenus.parse("Plugins>Latent Diffusion, \"LDM Inpaint...\", org.ldmfiji.ij1.InpaintPlugin"));
		assertNull(HeadlessMenus.parse("# comment"));
		assertNull(HeadlessMenus.parse("   "));
	}
}
