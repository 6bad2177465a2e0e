package org.ldmfiji.updatesite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.xml.parsers.SAXParserFactory;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

/** The update site that {@code mvn package} laid out, read back as the Fiji updater reads it. */
class UpdateSiteIT {

	private static Path site;
	private static byte[] xml;
	private static List<SiteFile> records;

	@BeforeAll
	static void read() {
		site = Built.updateSite();
		xml = DbXml.uncompressed(site.resolve(DbXml.FILE_NAME));
		records = DbXml.read(xml, true);
	}

	@Test
	void dbXmlIsValidAgainstTheUpdatersDocumentStructure() throws Exception {
		String text = new String(xml, StandardCharsets.UTF_8);
		Matcher doctype = Pattern.compile("<!DOCTYPE pluginRecords \\[.*?\\]>", Pattern.DOTALL).matcher(text);
		assertTrue(doctype.find(), "db.xml must declare its document type inline, as the updater writes it");
		// Validate against the reference DTD (the updater's), not against the copy the file carries.
		String external = doctype.replaceFirst("<!DOCTYPE pluginRecords SYSTEM \"pluginRecords.dtd\">");
		SAXParserFactory factory = SAXParserFactory.newInstance();
		factory.setValidating(true);
		factory.setNamespaceAware(true);
		DefaultHandler strict = new DefaultHandler() {
			@Override
			public InputSource resolveEntity(String publicId, String systemId) {
				assertTrue(systemId.endsWith("pluginRecords.dtd"), systemId);
				return new InputSource(UpdateSiteIT.class.getResourceAsStream("pluginRecords.dtd"));
			}

			@Override
			public void error(SAXParseException e) throws SAXException {
				throw e;
			}
		};
		factory.newSAXParser().parse(new ByteArrayInputStream(external.getBytes(StandardCharsets.UTF_8)), strict);
		assertEquals(records.size(), countOf(text, "<plugin "), "every <plugin> element is read back");
	}

	private static int countOf(String text, String what) {
		int n = 0;
		for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) n++;
		return n;
	}

	@Test
	void everyRecordMatchesItsStoredFile() {
		for (SiteFile f : records) {
			Path stored = site.resolve(f.storedName());
			assertTrue(Files.isRegularFile(stored) && !Files.isSymbolicLink(stored),
				f.storedName() + " must be a real file on the site (the updater downloads filename-timestamp)");
			assertEquals(f.filesize, size(stored), "filesize of " + f.filename);
			assertEquals(f.checksum, UpdaterChecksum.of(f.filename, stored),
				"checksum of " + f.filename + " recomputed from " + stored);
			assertEquals(Platforms.of(f.filename).map(List::of).orElse(List.of()), f.platforms,
				"platform of " + f.filename + " follows its folder");
		}
	}

	@Test
	void siteHoldsExactlyTheRecordedFiles() throws IOException {
		Set<String> expected = records.stream().map(SiteFile::storedName).collect(Collectors.toCollection(TreeSet::new));
		expected.add(DbXml.FILE_NAME);
		Set<String> present;
		try (Stream<Path> all = Files.walk(site)) {
			present = all.filter(Files::isRegularFile).map(p -> site.relativize(p).toString().replace('\\', '/'))
				.collect(Collectors.toCollection(TreeSet::new));
		}
		assertEquals(expected, present, "the site folder holds db.xml.gz and one stored file per record, nothing else");
		Set<String> names = new TreeSet<>();
		for (SiteFile f : records) assertTrue(names.add(f.filename), "one record per file: " + f.filename);
	}

	@Test
	void siteHasThePluginItsNativeEngineAndTheDemoModel() throws IOException {
		Map<String, SiteFile> byName = new HashMap<>();
		for (SiteFile f : records) byName.put(f.filename, f);
		SiteFile plugin = records.stream().filter(f -> f.filename.startsWith("plugins/")).findFirst()
			.orElseThrow(() -> new AssertionError("no plugins/ jar on the site"));
		assertTrue(plugin.filename.matches("plugins/[^/]*_[^/]*\\.jar"),
			"ImageJ 1.x reads plugins.config only from plugins/ jars with an underscore in the name: " + plugin.filename);
		try (JarFile jar = new JarFile(site.resolve(plugin.storedName()).toFile())) {
			assertTrue(jar.getEntry("plugins.config") != null, "the plugin jar carries plugins.config at its root");
		}
		assertFalse(plugin.dependencies.isEmpty(), "the plugin record names its dependencies");
		for (SiteFile.Dependency d : plugin.dependencies) {
			SiteFile target = byName.get(d.filename);
			assertTrue(target != null, "dependency " + d.filename + " is a file of this site");
			assertEquals(target.timestamp, d.timestamp, "dependency " + d.filename + " names the current version");
			assertTrue(target.platforms.isEmpty(), "a dependency of the plugin must exist on every platform: " + d.filename);
		}
		assertTrue(byName.keySet().stream().anyMatch(n -> n.matches("jars/pytorch-jni-[^/]+\\.jar")), "pytorch-jni");
		SiteFile nativeCpu = byName.values().stream().filter(f -> f.filename.startsWith("jars/linux64/pytorch-native-cpu-"))
			.findFirst().orElseThrow(() -> new AssertionError("no jars/linux64/pytorch-native-cpu jar on the site"));
		assertEquals(List.of("linux64"), nativeCpu.platforms);

		Path bundle = Paths.get(System.getProperty("ldm.models", "models"), "demo");
		for (String file : UpdateSiteBuilder.bundleFiles(bundle)) {
			SiteFile f = byName.get("models/ldm/demo/" + file);
			assertTrue(f != null, "the demo bundle's " + file + " is on the site under models/ldm/demo/");
			assertTrue(java.util.Arrays.equals(Files.readAllBytes(bundle.resolve(file)),
				Files.readAllBytes(site.resolve(f.storedName()))), "models/ldm/demo/" + file + " is the bundle's file");
		}
	}

	private static long size(Path p) {
		try {
			return Files.size(p);
		}
		catch (IOException e) {
			throw new AssertionError(e);
		}
	}
}
