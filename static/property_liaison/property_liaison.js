// Score trend charts (data comes from a json_script element; no inline scripts).
(function () {
  "use strict";
  var source = document.getElementById("liaison-trends");
  if (!source || !window.echarts) { return; }
  var trends = JSON.parse(source.textContent);
  document.querySelectorAll("[data-liaison-chart]").forEach(function (box) {
    var series = trends[box.getAttribute("data-liaison-chart")] || [];
    var chart = window.echarts.init(box);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 40, right: 20, top: 20, bottom: 50 },
      xAxis: { type: "category", data: trends.months },
      yAxis: { type: "value", min: 0, max: 100 },
      series: series.map(function (s) { return { name: s.name, type: "line", connectNulls: true, data: s.data }; })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
}());
