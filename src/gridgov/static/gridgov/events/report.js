// Event report form: fill the hidden lat/lng from the phone's GPS (the server resolves the grid).
(function () {
  "use strict";
  var button = document.getElementById("use-location");
  var status = document.getElementById("location-status");
  var lat = document.querySelector("input[name=lat]");
  var lng = document.querySelector("input[name=lng]");
  if (!button || !lat || !lng) return;
  button.addEventListener("click", function () {
    if (!navigator.geolocation) {
      status.textContent = "此设备不支持定位,请手动选择网格。";
      return;
    }
    status.textContent = "正在定位…";
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        lat.value = pos.coords.latitude.toFixed(6);
        lng.value = pos.coords.longitude.toFixed(6);
        status.textContent = "已定位:" + lat.value + ", " + lng.value + "(精度约 " + Math.round(pos.coords.accuracy) + " 米)";
      },
      function (err) {
        status.textContent = "定位失败(" + err.message + "),请手动选择网格。";
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  });
})();
