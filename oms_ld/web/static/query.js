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
  document.documentElement.classList.add("yasgui-ready");
})();
