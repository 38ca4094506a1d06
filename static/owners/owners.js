(function () {
  "use strict";
  var holder = document.getElementById("survey-chart");
  var source = document.getElementById("survey-trend-data");
  if (!holder || !source || !window.echarts) { return; }
  var trend = JSON.parse(source.textContent);
  var chart = window.echarts.init(holder);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    xAxis: { type: "category", data: trend.labels },
    yAxis: { type: "value", min: 1, max: 5 },
    series: trend.series.map(function (s) { return { name: s.name, type: "line", data: s.data, connectNulls: true }; })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
