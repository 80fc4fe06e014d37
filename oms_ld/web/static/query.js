/* The query page: YASGUI on this server's own /sparql, configured so that the page never asks another
 * host for anything (no endpoint catalogue, no prefix.cc, no LOV, no link shortener, no localStorage).
 * Without this script (or if YASGUI fails to load) the plain form and the example links keep working. */
(function () {
  "use strict";

  var configEl = document.getElementById("query-config");
  var root = document.getElementById("yasgui");
  var Yasgui = window.Yasgui;
  if (!configEl || !root || typeof Yasgui !== "function") return;
  var config = JSON.parse(configEl.textContent);
  var Yasqe = Yasgui.Yasqe;
  var Yasr = Yasgui.Yasr;
  var form = document.getElementById("plain-form");
  var textarea = document.getElementById("query-text");
  var link = document.getElementById("permalink");
  var status = document.getElementById("permalink-status");

  // Same origin, absolute (YASGUI resolves and displays it as is).
  var endpoint = new URL("/sparql", window.location.href).href;

  function permalink(query) {
    return new URL("/sparql?query=" + encodeURIComponent(query), window.location.href).href;
  }

  // Prefix completion from our own list (oms_ld.namespaces.PREFIXES) instead of prefix.cc; the class and
  // property completers, which ask the LOV API, are left out. Nothing is cached in localStorage.
  var prefixList = Object.keys(config.prefixes)
    .sort()
    .map(function (name) {
      return name + ": <" + config.prefixes[name] + ">";
    });
  Yasqe.forkAutocompleter("prefixes", {
    name: "localPrefixes",
    persistenceId: null,
    get: function () {
      return prefixList;
    },
  });
  // Set on the shared defaults: lodash merges arrays index by index, so a shorter list passed in the
  // config would keep the defaults' extra entries.
  [Yasqe.defaults, Yasgui.defaults.yasqe].forEach(function (defaults) {
    defaults.autocompleters = ["variables", "localPrefixes"];
    defaults.prefixCcApi = "";
    defaults.createShortLink = undefined;
  });
  Yasgui.defaults.endpointCatalogueOptions.getData = function () {
    return [];
  };
  // The result views of this version are table, response, boolean and error; none loads anything remote.
  Yasr.defaults.pluginOrder = ["table", "response"];
  Yasr.defaults.defaultPlugin = "table";
  Yasr.defaults.persistenceId = null;
  // YASGUI's share button offers our permalink rather than a fragment that carries an endpoint.
  Yasgui.Tab.prototype.getShareableLink = function () {
    return permalink(this.getQuery());
  };

  // --- Result cells: values rather than RDF syntax. Typed literals show their value (the datatype is in
  // the title), our own IRIs link to the local page, external IRIs show the name we know for them.
  var tr = config.yasgui || {};
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function prefixed(iri, prefixes) {
    var all = [prefixes || {}, config.prefixes];
    for (var i = 0; i < all.length; i++) {
      for (var name in all[i]) {
        var ns = all[i][name];
        if (ns && iri.indexOf(ns) === 0 && iri.length > ns.length) return name + ":" + iri.slice(ns.length);
      }
    }
    return null;
  }
  function cellHtml(binding, prefixes) {
    var value = binding.value;
    if (binding.type === "uri") {
      var local = value.indexOf(config.base) === 0 ? "/" + value.slice(config.base.length) : null;
      if (local && local.indexOf("//") === 0) local = null;
      var text = local ? prefixed(value, prefixes) || value : config.labels[value] || prefixed(value, prefixes) || value;
      var external = local ? "" : ' rel="external"';
      return '<a class="iri" href="' + escapeHtml(local || value) + '" title="' + escapeHtml(value) + '"' + external +
        ">" + escapeHtml(text) + "</a>";
    }
    if (binding.type === "bnode") return "<code>_:" + escapeHtml(value) + "</code>";
    var lang = binding["xml:lang"];
    if (lang) {
      return '<span lang="' + escapeHtml(lang) + '">' + escapeHtml(value) + '</span> <span class="tag">@' +
        escapeHtml(lang) + "</span>";
    }
    var datatype = binding.datatype;
    if (datatype && !/#string$/.test(datatype)) {
      return '<span class="typed" title="' + escapeHtml(prefixed(datatype, prefixes) || datatype) + '">' +
        escapeHtml(value) + "</span>";
    }
    return "<span>" + escapeHtml(value) + "</span>";
  }
  var Table = Yasr.plugins && Yasr.plugins.table;
  if (Table) {
    Table.prototype.getCellContent = function (binding, prefixes) {
      return "<div>" + cellHtml(binding, prefixes) + "</div>";
    };
    Table.defaults.openIriInNewWindow = false;
    if (tr["dt.info"]) {
      Table.defaults.tableConfig.language = {
        info: tr["dt.info"],
        infoEmpty: tr["dt.infoEmpty"],
        infoFiltered: tr["dt.infoFiltered"],
        emptyTable: tr["dt.emptyTable"],
        zeroRecords: tr["dt.zeroRecords"],
        aria: { sortAscending: tr["dt.sortAscending"], sortDescending: tr["dt.sortDescending"] },
        paginate: { first: "&lt;&lt;", last: "&gt;&gt;", next: "&gt;", previous: "&lt;" },
      };
    }
  }

  var yasgui = new Yasgui(root, {
    requestConfig: {
      endpoint: endpoint,
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json,*/*;q=0.9",
      acceptHeaderGraph: "text/turtle,*/*;q=0.9",
    },
    endpointCatalogueOptions: {
      getData: function () {
        return [];
      },
      keys: [],
    },
    endpointInfo: function () {
      var info = document.createElement("span");
      info.className = "endpoint-info";
      info.textContent = config.text.endpoint + ": " + endpoint;
      return info;
    },
    copyEndpointOnNewTab: false,
    populateFromUrl: false,
    persistenceId: null,
    autofocus: false,
    tabName: config.text.tab,
    yasqe: { value: textarea.value, persistenceId: null },
    yasr: { persistenceId: null, defaultPlugin: "table" },
  });
  window.omsYasgui = yasgui;

  function currentTab() {
    return yasgui.getTab();
  }

  function showPermalink() {
    var tab = currentTab();
    if (tab) link.href = permalink(tab.getQuery());
  }

  function watch(tab) {
    var yasqe = tab && tab.getYasqe();
    if (yasqe) yasqe.on("change", showPermalink);
  }

  watch(currentTab());
  yasgui.on("tabSelect", function () {
    window.setTimeout(function () {
      watch(currentTab());
      showPermalink();
    }, 0);
  });
  showPermalink();

  link.addEventListener("click", function (event) {
    event.preventDefault();
    showPermalink();
    var url = link.href;
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(url).then(
        function () {
          status.textContent = config.text.copied;
        },
        function () {
          status.textContent = config.text.copy_failed;
        }
      );
    } else {
      status.textContent = config.text.copy_failed;
    }
  });

  // "Open in the editor" buttons: the query text is the <code> shown under each example.
  Array.prototype.forEach.call(document.querySelectorAll("button.load[data-example]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var code = document.getElementById("query-" + button.getAttribute("data-example"));
      var tab = currentTab();
      if (!code || !tab) return;
      tab.setQuery(code.textContent);
      showPermalink();
      root.scrollIntoView({ behavior: "smooth", block: "start" });
      var yasqe = tab.getYasqe();
      if (yasqe) yasqe.focus();
    });
  });

  // YASGUI replaces the plain form; results the server rendered for it are shown by YASGUI instead.
  form.hidden = true;
  var serverResults = document.getElementById("server-results");
  if (serverResults) {
    serverResults.parentNode.removeChild(serverResults);
    if (config.run && currentTab()) currentTab().query().catch(function () {});
  }
  // --- After YASGUI draws (and whenever it redraws): names for its unnamed controls, keyboard access to
  // the editor's scroll box, and its own text in the page language. The vendored files stay untouched.
  var ATTRIBUTES = ["title", "aria-label", "placeholder"];
  function translated(text) {
    var key = text.trim();
    if (!key) return null;
    if (Object.prototype.hasOwnProperty.call(tr, key)) return text.replace(key, tr[key]);
    var docs = /^View documentation of (.+)$/.exec(key);
    if (docs && tr["View documentation of"]) return tr["View documentation of"] + " " + (tr[docs[1]] || docs[1]);
    var chip = /^(\d+) (results? in) ([\d.]+) (seconds?)$/.exec(key);
    if (chip && tr[chip[2]]) return chip[1] + " " + tr[chip[2]] + " " + chip[3].replace(".", ",") + " " + tr[chip[4]];
    return null;
  }
  function translate(node) {
    var walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    var texts = [];
    while (walker.nextNode()) texts.push(walker.currentNode);
    texts.forEach(function (text) {
      if (text.parentNode && /^(CODE|PRE|TEXTAREA)$/.test(text.parentNode.nodeName)) return;
      if (text.parentNode && text.parentNode.closest(".CodeMirror, .dataTable tbody")) return;
      var better = translated(text.nodeValue);
      if (better !== null && better !== text.nodeValue) text.nodeValue = better;
    });
    Array.prototype.forEach.call(node.querySelectorAll("[title], [aria-label], [placeholder]"), function (el) {
      ATTRIBUTES.forEach(function (name) {
        var value = el.getAttribute(name);
        var better = value && translated(value);
        if (better && better !== value) el.setAttribute(name, better);
      });
    });
  }
  function setOnce(el, name, value) {
    if (el && el.getAttribute(name) !== value) el.setAttribute(name, value);
  }
  function patch() {
    Array.prototype.forEach.call(root.querySelectorAll(".CodeMirror textarea"), function (area) {
      setOnce(area, "aria-label", config.text.editor);
    });
    Array.prototype.forEach.call(root.querySelectorAll(".CodeMirror-scroll"), function (box) {
      setOnce(box, "tabindex", "0");
    });
    // The settings menu: its inputs and selects sit beside a label that names none of them.
    Array.prototype.forEach.call(root.querySelectorAll(".tabMenu .requestConfigWrapper"), function (wrapper) {
      var label = wrapper.querySelector(":scope > label");
      var name = label ? label.textContent.trim() : "";
      Array.prototype.forEach.call(wrapper.querySelectorAll(".textRow"), function (row) {
        var inputs = row.querySelectorAll("input");
        if (inputs[0]) setOnce(inputs[0], "aria-label", name + ": " + config.text.key);
        if (inputs[1]) setOnce(inputs[1], "aria-label", name + ": " + config.text.value);
      });
      Array.prototype.forEach.call(wrapper.querySelectorAll(".graphInput input"), function (input) {
        setOnce(input, "aria-label", name);
      });
      Array.prototype.forEach.call(wrapper.querySelectorAll(".selector"), function (selector) {
        var own = selector.querySelector("label");
        var select = selector.querySelector("select");
        if (select) setOnce(select, "aria-label", name + ": " + (own ? own.textContent.trim() : ""));
      });
    });
    Array.prototype.forEach.call(root.querySelectorAll("select.tableSizer"), function (select) {
      setOnce(select, "aria-label", config.text.page_size);
    });
    Array.prototype.forEach.call(root.querySelectorAll(".dataTable thead th"), function (th) {
      if (!th.textContent.trim() && !th.querySelector(".vh")) {
        var name = document.createElement("span");
        name.className = "vh";
        name.textContent = config.text.row;
        th.appendChild(name);
      }
    });
    // YASGUI's tab list holds its "+" button beside the tabs; ARIA allows only tabs in a tablist.
    Array.prototype.forEach.call(root.querySelectorAll(".tabsList > [role='presentation']"), function (item) {
      if (!item.querySelector("[role='tab']")) setOnce(item, "role", "none");
    });
    Array.prototype.forEach.call(root.querySelectorAll(".tabsList button.addTab"), function (button) {
      if (button.parentNode && button.parentNode.parentNode && !button.hidden) button.hidden = true;
    });
    translate(root);
  }
  var pending = false;
  var observer = new MutationObserver(function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      observer.disconnect();
      patch();
      observer.observe(root, { childList: true, subtree: true });
    });
  });
  patch();
  observer.observe(root, { childList: true, subtree: true });

  // --- WKT points in a SELECT result, drawn over the same land as the node-city map (no tiles, nothing
  // fetched: the frame and the land outline come with the page).
  var SVG = "http://www.w3.org/2000/svg";
  function svgEl(name, attributes) {
    var el = document.createElementNS(SVG, name);
    for (var key in attributes) el.setAttribute(key, attributes[key]);
    return el;
  }
  function localPath(iri) {
    if (iri.indexOf(config.base) !== 0) return null;
    var path = "/" + iri.slice(config.base.length);
    return path.indexOf("//") === 0 ? null : path;
  }
  function rowName(row, vars, skip) {
    var best = null;
    vars.forEach(function (v) {
      var b = row[v];
      if (v === skip || !b) return;
      if (b.type !== "uri" && !/#wktLiteral$/.test(b.datatype || "")) {
        if (!best || (b["xml:lang"] === config.lang && best.lang !== config.lang)) {
          best = { text: b.value, lang: b["xml:lang"] };
        }
      }
    });
    if (best) return best.text;
    for (var i = 0; i < vars.length; i++) {
      var b = row[vars[i]];
      if (b && b.type === "uri") return config.labels[b.value] || b.value.replace(/^.*[\/#]/, "");
    }
    return "";
  }
  function rowHref(row, vars) {
    for (var i = 0; i < vars.length; i++) {
      var b = row[vars[i]];
      if (b && b.type === "uri" && localPath(b.value)) return localPath(b.value);
    }
    return null;
  }
  function drawPoints(tab) {
    var old = document.getElementById("wkt-map");
    if (old) old.parentNode.removeChild(old);
    var yasr = tab && tab.getYasr();
    var results = yasr && yasr.results;
    if (!results || typeof results.getBindings !== "function" || !config.map) return;
    var vars = results.getVariables() || [];
    var frame = config.map;
    var points = [];
    var outside = 0;
    (results.getBindings() || []).forEach(function (row) {
      vars.forEach(function (v) {
        var b = row[v];
        if (!b || !/#wktLiteral$/.test(b.datatype || "")) return;
        var m = /^\s*(?:<[^>]*>\s*)?POINT\s*\(\s*(-?[\d.]+)\s+(-?[\d.]+)\s*\)\s*$/i.exec(b.value);
        if (!m) return;
        var lon = parseFloat(m[1]);
        var lat = parseFloat(m[2]);
        if (lon < frame.west || lon > frame.east || lat < frame.south || lat > frame.north) {
          outside += 1;
          return;
        }
        points.push({
          x: frame.margin + (lon - frame.west) * frame.scale_x,
          y: frame.margin + (frame.north - lat) * frame.scale_y,
          name: rowName(row, vars, v),
          href: rowHref(row, vars),
        });
      });
    });
    if (!points.length && !outside) return;
    var figure = document.createElement("figure");
    figure.id = "wkt-map";
    figure.className = "map wkt-map";
    var svg = svgEl("svg", { viewBox: "0 0 " + frame.width + " " + frame.height, class: "node-map", role: "group",
      "aria-labelledby": "wkt-map-title", "font-family": "DejaVu Sans, Verdana, Arial, sans-serif", "font-size": "13" });
    var title = svgEl("title", { id: "wkt-map-title" });
    title.textContent = config.text.map_title;
    svg.appendChild(title);
    svg.appendChild(svgEl("rect", { x: 0, y: 0, width: frame.width, height: frame.height, fill: "#d6e6f2" }));
    svg.appendChild(svgEl("path", { d: frame.land, fill: "#fbfaf5", stroke: "#8397a6", "stroke-width": "0.8",
      "fill-rule": "evenodd" }));
    var taken = [];
    points.forEach(function (p) {
      var holder = p.href ? svgEl("a", { href: p.href }) : svgEl("g", {});
      var name = svgEl("title", {});
      name.textContent = p.name;
      holder.appendChild(name);
      holder.appendChild(svgEl("circle", { cx: p.x.toFixed(1), cy: p.y.toFixed(1), r: 5.5, fill: "#0b5394",
        stroke: "#ffffff", "stroke-width": "1.5" }));
      var width = 7.4 * p.name.length;
      var left = p.x + 8 + width > frame.width - 4;  // no room on the right: the label goes on the left
      var box = left ? [p.x - 8 - width, p.y - 10, p.x - 8, p.y + 4] : [p.x + 8, p.y - 10, p.x + 8 + width, p.y + 4];
      var free = points.length <= 40 && box[0] >= 2 && taken.every(function (o) {
        return box[0] >= o[2] || o[0] >= box[2] || box[1] >= o[3] || o[1] >= box[3];
      });
      if (p.name && free) {
        taken.push(box);
        var label = svgEl("text", { x: (left ? box[2] : box[0]).toFixed(1), y: (p.y + 4).toFixed(1),
          "text-anchor": left ? "end" : "start", fill: "#14202b", stroke: "#fbfaf5", "stroke-width": "3",
          style: "paint-order: stroke" });
        label.textContent = p.name;
        holder.appendChild(label);
      }
      svg.appendChild(holder);
    });
    figure.appendChild(svg);
    var caption = document.createElement("figcaption");
    caption.textContent = config.text.map_caption.replace("{n}", String(points.length)) +
      (outside ? " " + config.text.map_outside.replace("{n}", String(outside)) : "");
    figure.appendChild(caption);
    root.parentNode.insertBefore(figure, root.nextSibling);
  }
  yasgui.on("queryResponse", function (instance, tab) {
    window.setTimeout(function () {
      drawPoints(tab || currentTab());
    }, 0);
  });

  document.documentElement.classList.add("yasgui-ready");
})();
