"""A LangServe app with LangChain's own fake chat model, for the langserve provider's tests.

usage: langserve_app.py PORT

Routes (each LangServe's /invoke, /batch, /stream, /input_schema):
  /qa      a prompt template taking {question}, then the fake chat model (message chunks)
  /text    the same chain ending in a string output parser (string chunks)
  /chat    the fake chat model served directly (its input is a list of messages)
  /broken  a chain that raises
The fake model answers "Paris is the capital of France." one character at a time, 20 ms apart.
"""
import sys

import uvicorn
from fastapi import FastAPI
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableLambda
from langserve import add_routes

ANSWER = "Paris is the capital of France."
app = FastAPI()
model = FakeListChatModel(responses=[ANSWER], sleep=0.02)
prompt = ChatPromptTemplate.from_messages([("system", "Answer briefly."), ("human", "{question}")])


def explode(_):
    raise ValueError("the chain failed on purpose")


add_routes(app, prompt | model, path="/qa")
add_routes(app, prompt | model | StrOutputParser(), path="/text")
add_routes(app, model, path="/chat")
add_routes(app, prompt | RunnableLambda(explode), path="/broken")

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
