// Weekly report charts: data comes from the json_script block, one pie or bar per card.
(function () {
  "use strict";
  var source = document.getElementById("weekly-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var rows = data[el.getAttribute("data-chart")] || [];
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: {},
      xAxis: { type: "category", data: rows.map(function (r) { return r.name; }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: rows.map(function (r) { return r.value; }) }]
    });
  });
})();
