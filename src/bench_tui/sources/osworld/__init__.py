"""OSWorld and Windows Agent Arena episodes (FORMATS §10, §11), with the pyautogui and Navi action parsers."""
