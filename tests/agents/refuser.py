"""A user agent for the CLI tests: a plain callable."""


def agent(observation, info):
    return {"name": "refuse", "arguments": {"reason": "test agent"}}


class Lister:
    name = "lister"

    def reset(self, env, observation, info):
        self.turns = 0

    def act(self, observation, info):
        self.turns += 1
        return {"name": "list_dir", "arguments": {}} if self.turns == 1 else "done"
