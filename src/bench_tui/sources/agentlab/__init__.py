"""BrowserGym / AgentLab studies (FORMATS §13), read through a restricted unpickler."""
