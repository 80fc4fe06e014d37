"""The user-interface strings of every page, in Swedish and English."""

from __future__ import annotations

_STRINGS: dict[str, tuple[str, str]] = {
    "site_name": ("ÖMS länkade data", "ÖMS linked data"),
    "skip": ("Hoppa till innehållet", "Skip to content"),
    "nav_label": ("Huvudmeny", "Main menu"),
    "home": ("Start", "Home"),
    "ontology": ("Ontologi", "Ontology"),
    "shapes": ("SHACL-former", "SHACL shapes"),
    "sparql": ("SPARQL", "SPARQL"),
    "download": ("Ladda ner", "Download"),
    "language": ("Språk", "Language"),
    "license_note": ("Data och ontologi under licensen", "Data and ontology licensed under"),
    "version": ("Dataversion", "Data version"),
    "iri": ("IRI", "IRI"),
    "types": ("Typ", "Type"),
    "facts": ("Uppgifter", "Facts"),
    "refers_to": ("Hänvisar till", "Refers to"),
    "referred_by": ("Hänvisas till av", "Referred to by"),
    "external": ("Externa länkar", "External links"),
    "provenance": ("Proveniens (källor)", "Provenance (sources)"),
    "geometry": ("Geometri", "Geometry"),
    "map": ("Karta", "Map"),
    "property": ("Egenskap", "Property"),
    "value": ("Värde", "Value"),
    "resource": ("Resurs", "Resource"),
    "formats": ("Maskinläsbara format", "Machine-readable formats"),
    "formats_intro": ("Det här dokumentets tripplar som RDF:", "This document's triples as RDF:"),
    "wkt_elsewhere": ("Punkterna (WKT) hör till de ingående orterna och står i deras egna dokument; "
                      "följ geometrilänken.", "The points (WKT) belong to the constituent places and are in their "
                      "own documents; follow the geometry link."),
    "external_note": ("(extern länk)", "(external link)"),
    "about": ("Vad är ÖMS?", "What is ÖMS?"),
    "contents": ("Innehåll", "Contents"),
    "data_triples": ("tripplar i data", "data triples"),
    "ontology_triples": ("tripplar i ontologin", "ontology triples"),
    "resources": ("resurser", "resources"),
    "classes": ("klasser", "classes"),
    "by_class": ("Resurser per klass", "Resources by class"),
    "and_more": ("… och {n} till.", "… and {n} more."),
    "list_all": ("Lista alla med SPARQL", "List them all with SPARQL"),
    "first_of": ("De första {shown} av {n}.", "The first {shown} of {n}."),
    "node_cities": ("Nodstäderna", "The node cities"),
    "use": ("Använd data", "Use the data"),
    "query_text": ("Ställ SPARQL 1.1-frågor mot data och ontologi på",
                   "Ask SPARQL 1.1 queries over the data and ontology at"),
    "download_text": ("Hela datamängden finns som filer (Turtle, TriG, N-Quads m.fl.) på",
                      "The whole dataset is available as files (Turtle, TriG, N-Quads and more) at"),
    "link_text": ("Länka till saker med deras beständiga IRI:er under",
                  "Link to things with their persistent IRIs under"),
    "uri_policy": (
        "En IRI …/id/{typ}/{namn} betecknar själva saken och svarar med 303 See Other till dokumentet "
        "…/doc/{typ}/{namn}, som finns som HTML, Turtle, JSON-LD, RDF/XML och N-Triples. En publicerad IRI "
        "återanvänds aldrig; koder (länskod, kommunkod, NUTS) är data och ingår aldrig i en IRI.",
        "An IRI …/id/{type}/{name} denotes the thing itself and answers 303 See Other to the document "
        "…/doc/{type}/{name}, which comes as HTML, Turtle, JSON-LD, RDF/XML and N-Triples. A published IRI is "
        "never reused; codes (county code, municipality code, NUTS) are data, never part of an IRI.",
    ),
    "terms_classes": ("Klasser", "Classes"),
    "terms_object": ("Objektegenskaper", "Object properties"),
    "terms_datatype": ("Datatypsegenskaper", "Datatype properties"),
    "metadata": ("Metadata", "Metadata"),
    "target": ("Mål", "Target"),
    "constraints": ("Villkor", "Constraints"),
    "message": ("Meddelande", "Message"),
    "sparql_check": ("SPARQL-kontroll", "SPARQL check"),
    "show_query": ("Visa frågan", "Show the query"),
    "map_title": ("Nodstäderna i östra Mellansverige", "The node cities of Eastern Central Sweden"),
    "map_desc": ("Karta över {n} nodstäder ritade från sina koordinater (WGS84). Varje punkt länkar till "
                 "nodstadens sida; sammansatta nodstäder har en punkt per ingående ort.",
                 "Map of {n} node cities drawn from their coordinates (WGS84). Each point links to the node "
                 "city's page; composite node cities have one point per constituent place."),
    "map_missing": ("Saknar verifierad koordinat och är inte utritade:", "Without a verified coordinate, not drawn:"),
    "map_here": ("den här nodstaden är markerad", "this node city is highlighted"),
    "back_home": ("Till startsidan", "To the home page"),
    "legend": ("Teckenförklaring", "Legend"),
    "legend_node": ("Nodstad (länk till sidan)", "Node city (links to its page)"),
    "legend_here": ("Den här nodstaden", "This node city"),
    "legend_land": ("Land", "Land"),
    "legend_sea": ("Hav (sjöar är inte utritade)", "Sea (lakes are not drawn)"),
    "points_map_title": ("Punkterna i resultatet", "The points in the results"),
    "map_source": ("Kustlinje: Natural Earth (fri att använda)", "Coastline: Natural Earth (public domain)"),
    "downloads": ("Nedladdningar", "Downloads"),
    "downloads_intro": ("Hela datamängden som filer, under licensen", "The whole dataset as files, licensed under"),
    "downloads_latest": ("Filerna med datum i namnet ändras aldrig; latest har alltid samma innehåll som den senaste "
                         "utgåvan.", "Files with a date in their name never change; latest always has the same "
                         "bytes as the newest release."),
    "downloads_described": ("Beskrivning av datamängden:", "Description of the dataset:"),
    "downloads_check": ("Kontrollsummorna finns också som en fil för sha256sum -c: be om text/plain från /download/.",
                        "The checksums also come as a file for sha256sum -c: ask /download/ for text/plain."),
    "files": ("Filer", "Files"),
    "file": ("Fil", "File"),
    "content": ("Innehåll", "Content"),
    "media_type": ("Mediatyp", "Media type"),
    "bytes": ("Byte", "Bytes"),
    "dump_triples": ("data och ontologi", "data and ontology"),
    "dump_quads": ("data, ontologi och SHACL-former (namngivna grafer)",
                   "data, ontology and SHACL shapes (named graphs)"),
    "copy_button": ("Kopiera", "Copy"),
    "copied": ("Kopierat.", "Copied."),
    "copy_failed": ("Kunde inte kopiera; markera texten i stället.", "Could not copy; select the text instead."),
    "error_detail": ("Teknisk förklaring (på engelska)", "Technical detail"),
}  # fmt: skip
#: Error pages: the status in words and what a reader can do about it.
_STATUS: dict[int, tuple[tuple[str, str], tuple[str, str]]] = {
    400: (("Felaktig begäran", "Bad Request"),
          ("Servern förstod inte begäran.", "The server could not understand the request.")),
    403: (("Inte tillåtet", "Forbidden"), ("Det här får inte göras här.", "This is not allowed here.")),
    404: (("Sidan finns inte", "Not Found"),
          ("Det finns ingenting på den här adressen. Kontrollera adressen, eller börja på startsidan.",
           "There is nothing at this address. Check the address, or start from the home page.")),
    405: (("Metoden är inte tillåten", "Method Not Allowed"),
          ("Adressen finns men svarar inte på den här sortens begäran.",
           "The address exists but does not answer this kind of request.")),
    406: (("Formatet finns inte", "Not Acceptable"),
          ("Det finns inget av de format som efterfrågades. Formaten som finns står nedan.",
           "None of the formats asked for is available. The available formats are listed below.")),
    410: (("Borttagen", "Gone"),
          ("Det här fanns en gång men är borttaget för gott; adressen återanvänds aldrig.",
           "This existed once but has been removed for good; the address is never reused.")),
    413: (("För stor begäran", "Content Too Large"),
          ("Begäran är större än servern tar emot.", "The request is larger than the server accepts.")),
    415: (("Mediatypen stöds inte", "Unsupported Media Type"),
          ("Servern kan inte läsa innehåll av den typen.", "The server cannot read content of that type.")),
}  # fmt: skip
_SERVER_ERROR = (("Serverfel", "Server Error"),
                 ("Något gick fel på servern. Försök igen om en stund.",
                  "Something went wrong on the server. Please try again in a while."))  # fmt: skip


def status_text(status: int, lang: str) -> tuple[str, str]:
    """(title, explanation) of an error status for a reader, in `lang` (English for anything unknown)."""
    i = 0 if lang == "sv" else 1
    title, explanation = _STATUS.get(status, _SERVER_ERROR if status >= 500 else (("Fel", "Error"), ("", "")))
    return title[i], explanation[i]


UI: dict[str, dict[str, str]] = {lang: {k: v[i] for k, v in _STRINGS.items()} for i, lang in enumerate(("sv", "en"))}


def ui(lang: str) -> dict[str, str]:
    """The UI strings in `lang` (English for anything unknown)."""
    return UI.get(lang, UI["en"])


#: YASGUI's own interface text (English in the vendored build) and its Swedish; query.js swaps the text
#: and the title, aria-label and placeholder attributes after YASGUI draws them. DataTables' messages go
#: through its `language` option (keys starting with "dt.").
_YASGUI_SV: dict[str, str] = {
    "Table": "Tabell",
    "Response": "Svar",
    "Shows Table view": "Visa Tabell: resultatet som tabell",
    "Shows Response view": "Visa Svar: serverns svar som text",
    "Simple view": "Enkel vy",
    "Ellipse": "Korta av",
    "Filter query results": "Filtrera resultatet",
    "Page size:": "Rader per sida:",
    "All": "Alla",
    "Download result": "Ladda ner resultatet",
    "Download Results": "Ladda ner resultatet",
    "Close tab": "Stäng fliken",
    "Add tab": "Ny flik",
    "Add a new tab": "Lägg till en flik",
    "Close other tabs": "Stäng andra flikar",
    "Rename tab": "Byt namn på fliken",
    "Open settings": "Öppna inställningar",
    "Close settings": "Stäng inställningar",
    "Request method": "Anropsmetod",
    "Accept Headers": "Accept-huvuden",
    "Arguments": "Parametrar",
    "Headers": "Huvuden",
    "Header Arguments": "Huvuden (headers)",
    "Default Graphs": "Standardgrafer",
    "Named Graphs": "Namngivna grafer",
    "Settings": "Inställningar",
    "View documentation of": "Visa dokumentationen för",
    "Run query": "Kör frågan",
    "Share query": "Dela frågan",
    "Show all": "Visa alla",
    "Try query in a new browser window": "Prova frågan i ett nytt fönster",
    "Documentation": "Dokumentation",
    "Endpoint is down": "Tjänsten svarar inte",
    "An error has occurred": "Ett fel uppstod",
    "Show query": "Visa frågan",
    "Hide query": "Dölj frågan",
    "results in": "resultat på",
    "seconds": "sekunder",
    "second": "sekund",
    "result in": "resultat på",
    "dt.info": "Visar _START_–_END_ av _TOTAL_ rader",
    "dt.infoEmpty": "Inga rader",
    "dt.infoFiltered": "(filtrerat från _MAX_ rader)",
    "dt.emptyTable": "Inga rader i tabellen",
    "dt.zeroRecords": "Inga rader matchar",
    "dt.sortAscending": ": aktivera för att sortera stigande",
    "dt.sortDescending": ": aktivera för att sortera fallande",
}


def yasgui_text(lang: str) -> dict[str, str]:
    """YASGUI's interface text for `lang` (English → translation; empty for English, its own language)."""
    return dict(_YASGUI_SV) if lang == "sv" else {}
