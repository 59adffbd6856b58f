@echo off
rem Double-click to start the fangpin page for clerks: fangpin.exe, this file and the
rem workspace folder sit side by side. Closing this window stops it.
set WORKSPACE=data
chcp 65001 >nul
cd /d "%~dp0"
if not exist "fangpin.exe" (
  echo 没有找到 fangpin.exe。请把 fangpin.exe 和本文件放在同一个文件夹里。
  pause
  exit /b 1
)
if not exist "%WORKSPACE%\" (
  echo 没有找到工作区文件夹“%WORKSPACE%”。请把工作区文件夹放在本文件旁边，或用记事本修改本文件第四行的 WORKSPACE=。
  pause
  exit /b 2
)
echo 正在启动 fangpin 网页，浏览器会自动打开。用完关闭本窗口即可。
fangpin.exe serve "%WORKSPACE%" --open
if errorlevel 1 pause
