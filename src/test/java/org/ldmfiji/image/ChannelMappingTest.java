package org.ldmfiji.image;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class ChannelMappingTest {

	private static FloatPlanes random(int c, long seed) {
		Random r = new Random(seed);
		float[] d = new float[c * 4 * 6];
		for (int i = 0; i < d.length; i++) d[i] = r.nextFloat();
		return new FloatPlanes(c, 4, 6, d);
	}

	@Test
	void choosesTheMappingFromTheCounts() {
		assertEquals(ChannelMapping.IDENTITY, ChannelMapping.of(3, 3));
		assertEquals(ChannelMapping.IDENTITY, ChannelMapping.of(1, 1));
		assertEquals(ChannelMapping.REPLICATE, ChannelMapping.of(1, 3));
		assertEquals(ChannelMapping.PER_CHANNEL, ChannelMapping.of(3, 1));
		assertEquals(ChannelMapping.PER_CHANNEL, ChannelMapping.of(4, 1));
	}

	@Test
	void impossibleMappingNamesBothCounts() {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChannelMapping.of(2, 3));
		assertTrue(e.getMessage().contains("2-channel image") && e.getMessage().contains("3-channel model"), e.getMessage());
	}

	@Test
	void greyOnAThreeChannelModelReplicatesAndAveragesBack() {
		FloatPlanes grey = random(1, 1);
		ChannelMapping m = ChannelMapping.of(1, 3);
		List<FloatPlanes> in = m.toModel(grey, 3);
		assertEquals(1, in.size());
		assertEquals(3, in.get(0).channels());
		for (int c = 0; c < 3; c++) assertArrayEquals(grey.data(), in.get(0).channel(c).data(), "model channel " + c);

		// a model output with different channels: the image gets their mean
		FloatPlanes out = new FloatPlanes(3, 1, 2, new float[] { 1, 2, 3, 4, 8, 0 });
		FloatPlanes back = m.fromModel(Arrays.asList(out), 1);
		assertEquals(1, back.channels());
		assertArrayEquals(new float[] { 4, 2 }, back.data(), 1e-6f);
		assertArrayEquals(grey.data(), m.fromModel(in, 1).data(), 1e-6f, "replicate then mean is the identity");
	}

	@Test
	void rgbOnAOneChannelModelGoesChannelByChannel() {
		FloatPlanes rgb = random(3, 2);
		ChannelMapping m = ChannelMapping.of(3, 1);
		assertEquals(3, m.batchSize(3));
		List<FloatPlanes> items = m.toModel(rgb, 1);
		assertEquals(3, items.size());
		for (int c = 0; c < 3; c++) {
			assertEquals(1, items.get(c).channels());
			assertArrayEquals(rgb.channel(c).data(), items.get(c).data(), "batch item " + c + " is channel " + c);
		}
		assertArrayEquals(rgb.data(), m.fromModel(items, 3).data());
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.fromModel(items.subList(0, 2), 3));
		assertTrue(e.getMessage().contains("expects 3"), e.getMessage());
	}

	@Test
	void sameCountIsIdentity() {
		FloatPlanes rgb = random(3, 3);
		List<FloatPlanes> items = ChannelMapping.IDENTITY.toModel(rgb, 3);
		assertEquals(1, items.size());
		assertArrayEquals(rgb.data(), ChannelMapping.IDENTITY.fromModel(items, 3).data());
	}

	@Test
	void aMappingUsedForOtherCountsIsRefused() {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
			() -> ChannelMapping.IDENTITY.toModel(random(1, 4), 3));
		assertTrue(e.getMessage().contains("REPLICATE"), e.getMessage());
	}
}
