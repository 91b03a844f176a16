/// What a request asks of the model: a chat completion, or the transcript of the audio it carries
/// (OpenAI's `/audio/transcriptions`, which OpenAI-compatible speech servers also serve).
public enum CompletionTask: String, Sendable, Hashable, Codable, CaseIterable {
  /// A chat completion.
  case chat
  /// The transcript of the request's one piece of audio; its text, if any, is the prompt that
  /// guides the transcription's style and vocabulary.
  case transcription
}
