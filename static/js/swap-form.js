// The swap form: "their shift you take in return" offers only the chosen colleague's shifts.
// Without this script the server does the same once the form is sent.
(function () {
  "use strict";
  var colleague = document.getElementById("id_colleague");
  var returned = document.getElementById("id_return_shift");
  if (!colleague || !returned) {
    return;
  }
  function onlyTheirs() {
    var chosen = colleague.value ? colleague.options[colleague.selectedIndex].text : "";
    var groups = returned.querySelectorAll("optgroup");
    for (var i = 0; i < groups.length; i += 1) {
      var theirs = !chosen || groups[i].label === chosen;
      groups[i].hidden = !theirs;
      groups[i].disabled = !theirs;
      if (!theirs && groups[i].contains(returned.options[returned.selectedIndex])) {
        returned.value = "";
      }
    }
  }
  colleague.addEventListener("change", onlyTheirs);
  onlyTheirs();
})();
