package org.ldmfiji.updatesite;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParserFactory;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

import org.xml.sax.Attributes;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Writes and reads an update site's {@code db.xml.gz}: gzip-compressed UTF-8 XML, root {@code pluginRecords}
 * with its document type declared inline, as imagej-updater's {@code XMLFileWriter} writes it and
 * {@code XMLFileReader} reads it. Only the records of the site's own files are written (no
 * {@code update-site} elements, which belong to a local installation's database).
 */
public final class DbXml {

	public static final String FILE_NAME = "db.xml.gz";

	/** The document structure of imagej-updater's db.xml.gz (XMLFileWriter's DTD). */
	public static final String DTD = String.join("\n",
		"<!DOCTYPE pluginRecords [",
		"<!ELEMENT pluginRecords ((update-site | disabled-update-site)*, plugin*)>",
		"<!ELEMENT update-site EMPTY>",
		"<!ELEMENT disabled-update-site EMPTY>",
		"<!ELEMENT plugin (platform*, category*, version?, previous-version*)>",
		"<!ELEMENT version (description?, dependency*, link*, author*)>",
		"<!ELEMENT previous-version EMPTY>",
		"<!ELEMENT description (#PCDATA)>",
		"<!ELEMENT dependency EMPTY>",
		"<!ELEMENT link (#PCDATA)>",
		"<!ELEMENT author (#PCDATA)>",
		"<!ELEMENT platform (#PCDATA)>",
		"<!ELEMENT category (#PCDATA)>",
		siteAttributes("update-site"),
		siteAttributes("disabled-update-site"),
		"<!ATTLIST plugin update-site CDATA #IMPLIED filename CDATA #REQUIRED executable CDATA #IMPLIED>",
		"<!ATTLIST dependency filename CDATA #REQUIRED timestamp CDATA #IMPLIED overrides CDATA #IMPLIED>",
		"<!ATTLIST version timestamp CDATA #REQUIRED checksum CDATA #REQUIRED filesize CDATA #REQUIRED>",
		"<!ATTLIST previous-version filename CDATA #IMPLIED timestamp CDATA #REQUIRED",
		"  timestamp-obsolete CDATA #IMPLIED checksum CDATA #REQUIRED>",
		"]>");

	private static String siteAttributes(String element) {
		return "<!ATTLIST " + element + " name CDATA #REQUIRED url CDATA #REQUIRED keep-url CDATA #IMPLIED"
			+ " official CDATA #IMPLIED ssh-host CDATA #IMPLIED upload-directory CDATA #IMPLIED"
			+ " description CDATA #IMPLIED maintainer CDATA #IMPLIED timestamp CDATA #REQUIRED>";
	}

	private DbXml() {}

	/** Writes the records, in the given order, as {@code db.xml.gz}. */
	public static void write(List<SiteFile> files, Path dbXmlGz) {
		try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dbXmlGz))) {
			XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(out, "UTF-8");
			x.writeStartDocument("UTF-8", "1.0");
			x.writeCharacters("\n");
			x.writeDTD(DTD);
			x.writeCharacters("\n");
			x.writeStartElement("pluginRecords");
			for (SiteFile f : files) {
				x.writeCharacters("\n  ");
				x.writeStartElement("plugin");
				x.writeAttribute("filename", f.filename);
				for (String p : f.platforms) simple(x, 2, "platform", p);
				x.writeCharacters("\n    ");
				x.writeStartElement("version");
				x.writeAttribute("checksum", f.checksum);
				x.writeAttribute("timestamp", Long.toString(f.timestamp));
				x.writeAttribute("filesize", Long.toString(f.filesize));
				if (f.description != null) simple(x, 3, "description", f.description);
				for (SiteFile.Dependency d : f.dependencies) {
					x.writeCharacters("\n      ");
					x.writeEmptyElement("dependency");
					x.writeAttribute("filename", d.filename);
					x.writeAttribute("timestamp", Long.toString(d.timestamp));
				}
				for (String l : f.links) simple(x, 3, "link", l);
				for (String a : f.authors) simple(x, 3, "author", a);
				x.writeCharacters("\n    ");
				x.writeEndElement();
				x.writeCharacters("\n  ");
				x.writeEndElement();
			}
			x.writeCharacters("\n");
			x.writeEndElement();
			x.writeCharacters("\n");
			x.writeEndDocument();
			x.close();
		}
		catch (IOException e) {
			throw new UncheckedIOException("cannot write " + dbXmlGz, e);
		}
		catch (XMLStreamException e) {
			throw new IllegalStateException("cannot write " + dbXmlGz + ": " + e.getMessage(), e);
		}
	}

	private static void simple(XMLStreamWriter x, int depth, String tag, String text) throws XMLStreamException {
		x.writeCharacters("\n" + "  ".repeat(depth));
		x.writeStartElement(tag);
		x.writeCharacters(text);
		x.writeEndElement();
	}

	/** The uncompressed XML of a {@code db.xml.gz}. */
	public static byte[] uncompressed(Path dbXmlGz) {
		try (InputStream in = new GZIPInputStream(Files.newInputStream(dbXmlGz))) {
			return in.readAllBytes();
		}
		catch (IOException e) {
			throw new UncheckedIOException(dbXmlGz + " is not a readable gzip file", e);
		}
	}

	/**
	 * Reads the records back the way the updater does (SAX, element by element). With {@code validate}, the
	 * document must also be valid against its document type declaration; any error names the line.
	 */
	public static List<SiteFile> read(byte[] xml, boolean validate) {
		List<SiteFile> files = new ArrayList<>();
		DefaultHandler handler = new DefaultHandler() {
			String filename, description, checksum;
			long timestamp, filesize;
			List<String> platforms, authors, links;
			List<SiteFile.Dependency> dependencies;
			StringBuilder text = new StringBuilder();

			@Override
			public void startElement(String uri, String local, String qName, Attributes a) {
				text.setLength(0);
				switch (qName) {
					case "plugin":
						filename = a.getValue("filename");
						description = checksum = null;
						timestamp = filesize = -1;
						platforms = new ArrayList<>();
						authors = new ArrayList<>();
						links = new ArrayList<>();
						dependencies = new ArrayList<>();
						break;
					case "version":
						checksum = a.getValue("checksum");
						timestamp = Long.parseLong(a.getValue("timestamp"));
						filesize = Long.parseLong(a.getValue("filesize"));
						break;
					case "dependency":
						String t = a.getValue("timestamp");
						dependencies.add(new SiteFile.Dependency(a.getValue("filename"), t == null ? 0 : Long.parseLong(t)));
						break;
					default:
				}
			}

			@Override
			public void characters(char[] ch, int start, int length) {
				text.append(ch, start, length);
			}

			@Override
			public void endElement(String uri, String local, String qName) {
				switch (qName) {
					case "platform": platforms.add(text.toString()); break;
					case "description": description = text.toString(); break;
					case "author": authors.add(text.toString()); break;
					case "link": links.add(text.toString()); break;
					case "plugin":
						if (checksum == null) throw new IllegalStateException("record " + filename + " has no <version>");
						files.add(new SiteFile(filename, timestamp, checksum, filesize, platforms, description,
							dependencies, authors, links));
						break;
					default:
				}
				text.setLength(0);
			}

			@Override
			public void error(SAXParseException e) throws SAXException {
				throw e;
			}

			@Override
			public void warning(SAXParseException e) throws SAXException {
				throw e;
			}
		};
		try {
			SAXParserFactory factory = SAXParserFactory.newInstance();
			factory.setNamespaceAware(true);
			factory.setValidating(validate);
			factory.newSAXParser().parse(new ByteArrayInputStream(xml), handler);
		}
		catch (SAXParseException e) {
			throw new IllegalStateException("db.xml line " + e.getLineNumber() + ": " + e.getMessage(), e);
		}
		catch (SAXException | ParserConfigurationException e) {
			throw new IllegalStateException("db.xml: " + e.getMessage(), e);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return files;
	}

	/** The XML as text (UTF-8). */
	static String text(byte[] xml) {
		return new String(xml, StandardCharsets.UTF_8);
	}
}
