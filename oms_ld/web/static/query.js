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
      var text = local ? value : config.labels[value] || value;
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
    var chip = /^(\d+) (results? in) ([\d.]+) (seconds?)$/.exec(key);
    if (chip && tr[chip[2]]) return chip[1] + " " + tr[chip[2]] + " " + chip[3] + " " + tr[chip[4]];
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

  document.documentElement.classList.add("yasgui-ready");
})();
