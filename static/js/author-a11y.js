/* Accessibility fixes to the Django admin's own markup on the question form (axe, issue 20):
 * - the "Filter" icon of the enemies' two-box selector carries an aria-label on a plain span
 *   (aria-prohibited-attr): it becomes an image with that name;
 * - the inline tables' first header cell is empty (empty-table-header): it gets a name that
 *   screen readers read and nobody sees.
 * SelectFilter2 builds its boxes on window "load": this runs after it.
 */
(function () {
  "use strict";

  function fix() {
    document.querySelectorAll(".search-label-icon[aria-label]").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
    document.querySelectorAll("thead th.original").forEach(function (th) {
      if (!th.textContent.trim()) {
        th.innerHTML = '<span class="visually-hidden">Saved row</span>';
      }
    });
  }

  window.addEventListener("load", function () {
    setTimeout(fix, 0);
  });
})();
